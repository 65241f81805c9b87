using Siphon.Bindings;
// The generated glue driven from a real CPython (the python3 on PATH, as the runtime finds it):
// the good fixtures are generated, compiled and loaded together, their heap types created, and
// Python code exercises constructors, properties, sync methods, defaults, keyword-only
// arguments, None, bound types and error mapping. Async methods need a worker's loop host,
// which these tests do not have; their glue is covered by the compile and snapshot tests.
using System.Reflection;
using System.Runtime.CompilerServices;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Bindings.Generator.Tests;

public class PythonGlueTests
{
    private static readonly Lazy<Assembly> s_assembly = new(() =>
    {
        var compilation = TestHelpers.Compile("PythonGlue",
            TestHelpers.Fixtures("Good").Select(f => TestHelpers.Parse(TestHelpers.FixtureText("Good", f), $"Good/{f}.cs")).ToArray());
        var (result, output) = TestHelpers.Run(compilation);
        Assert.True(result.Diagnostics.IsEmpty, TestHelpers.Describe(result.Diagnostics));
        var assembly = TestHelpers.Load(output);
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        PythonRuntime.Initialize(PythonLocator.Locate());
        return assembly;
    });

    private const string Prelude = """
        def raises(exc, fn, text=""):
            try:
                fn()
            except exc as e:
                assert text in str(e), f"{text!r} not in {str(e)!r}"
                return
            raise AssertionError(f"{fn} did not raise {exc.__name__}")

        """;

    private static Type T(string fullName) => s_assembly.Value.GetType(fullName, throwOnError: true)!;

    private static object New(string fullName, params object?[] args) => Activator.CreateInstance(T(fullName), args)!;

    /// <summary>Runs <paramref name="code"/> with each global bound to a bound type (Type) or a
    /// Python wrapper of a C# instance (anything else); checks nothing leaked a GCHandle.</summary>
    private static void RunPython(string code, params (string Name, object Value)[] globals)
    {
        _ = s_assembly.Value;
        using var gil = Gil.Acquire();
        Collect();
        var before = BoundObject.LiveHandles;
        var owned = new List<nint>();
        try
        {
            var names = new List<string>();
            foreach (var (name, value) in globals)
            {
                nint handle;
                if (value is Type type) handle = BindingRegistry.TypeOf(type);
                else owned.Add(handle = BoundObject.Alloc(BindingRegistry.TypeOf(value.GetType()), value));
                names.Add($"{PyLiterals.Str(name)}: __import__('ctypes').cast({handle}, __import__('ctypes').py_object).value");
            }
            var expression = $"exec({PyLiterals.Str(Prelude + code)}, {{{string.Join(", ", names)}}})";
            using var result = PyOwned.Adopt(PythonRuntime.Eval(expression, "<fixture test>"));
        }
        finally
        {
            foreach (var h in owned)
            {
                using var o = PyOwned.Adopt(h);
            }
        }
        Collect();
        Assert.Equal(before, BoundObject.LiveHandles);
    }

    private static void Collect()
    {
        using var collected = PyOwned.Adopt(PythonRuntime.Eval("__import__('gc').collect()"));
    }

    [Fact]
    public void Constructor_defaults_keyword_only_and_properties()
    {
        RunPython("""
            r = Response()
            assert (r.status, r.headers, r.body, r.reason) == (200, {}, b"", "OK"), (r.status, r.headers, r.body, r.reason)
            r = Response(404, {"a": "b"}, "h\u00e9", reason="Not Found")
            assert (r.status, r.headers, r.body, r.reason) == (404, {"a": "b"}, "h\u00e9".encode(), "Not Found")
            assert Response(body=bytearray(b"x")).body == b"x"
            assert Response.__doc__ == "An HTTP response."
            assert Response.__module__ == "siphon.http" and Response.__name__ == "Response"
            assert type(r).status.__doc__ == "The status code."
            assert Response(201).raise_for_status().status == 201
            raises(RuntimeError, r.raise_for_status, "status 404")
            raises(TypeError, lambda: Response("x"), "status: expected int, got str")
            raises(TypeError, lambda: Response(1, None, None, "r"), "at most 3 positional arguments")
            raises(TypeError, lambda: Response(nope=1), "unexpected keyword argument 'nope'")
            raises(TypeError, lambda: Response(200, status=1), "multiple values for argument 'status'")
            raises(AttributeError, lambda: setattr(r, "status", 1))
            """, ("Response", T("Fixtures.Constructor.Response")));
    }

    [Fact]
    public void Sync_methods_arguments_defaults_and_results()
    {
        RunPython("""
            assert r.reset() is None
            assert r.count() == 1 and r.count(reset=True) == 1 and r.count() == 0
            assert r.raise_for_status() == "ok"
            assert r.add(1) == 3 and r.add(1, b=5) == 6 and r.add(a=2, b=2) == 4
            raises(TypeError, r.add, "missing required argument 'a'")
            raises(OverflowError, lambda: r.add(1, 2**40), "b: integer out of range")
            raises(TypeError, lambda: r.add(True), "a: expected int, got bool")
            assert r.route("/p") == '/p  default "route"\n True 1.5 -1 2', repr(r.route("/p"))
            assert r.route("/p", methods=["GET", "POST"], strict=False, weight=2, limit=7) == '/p 2 default "route"\n False 2 7 2'
            assert r.route("/p", methods="GET").startswith("/p 1 ")
            raises(TypeError, lambda: r.route("/p", ["GET"]), "at most 1 positional argument")
            assert r.require("/", token="t") is True
            raises(TypeError, lambda: r.require("/", "t"), "at most 1 positional argument")
            raises(TypeError, lambda: r.require("/"), "missing required argument 'token'")
            assert r.echo(b"ab") == b"ab" and r.echo(b"ab", extra="c") == b"abc"
            assert r.headers({"k": "v"}) == {"k": "v"}
            raises(TypeError, lambda: r.headers({"k": 1}), "values[k]: expected str, got int")
            assert r.describe(5) == "5" and r.describe_text("t") == "t"
            raises(TypeError, lambda: r.reset(1), "takes no arguments")
            """, ("r", New("Fixtures.Methods.Router")));
    }

    [Fact]
    public void None_in_and_out_for_every_nullable_kind()
    {
        RunPython("""
            for name in ["name", "big", "small", "flag", "ratio", "raw", "body", "headers", "tags", "next"]:
                assert getattr(m, name) is None, name
            s = m.describe(None, None, None, None, None, None, None, None, None, None)
            assert s == "|||||||||True", s
            s = m.describe("n", 1, 2, False, 0.5, b"ab", "c", {"a": "b"}, ("x", "y"), m)
            assert s == "n|1|2|False|0.5|2|1|1|2|False", s
            assert m.pick() == 5 and m.pick(2) == 2 and m.pick(strict=True) == 0 and m.pick(fallback=None) is None
            raises(TypeError, lambda: m.describe(1, None, None, None, None, None, None, None, None, None), "name: expected str, got int")
            """, ("m", New("Fixtures.Nullables.Maybe")));
    }

    [Fact]
    public void Bound_types_cross_in_both_directions_with_a_type_check()
    {
        RunPython("""
            assert n.parent is None
            e = n.first
            assert type(e).__name__ == "Edge" and type(e).__module__ == "siphon.edges"
            assert type(e.origin).__name__ == "Node"
            assert type(n.connect(other)).__name__ == "Edge"
            assert type(other.parent).__name__ == "Node"
            assert type(n.connect(other, via=e)).__name__ == "Edge"
            raises(TypeError, lambda: n.connect(e), "other: expected Node, got siphon.edges.Edge")
            raises(TypeError, lambda: type(n)(), "cannot create")
            p = Point(3).shift(1, dy=2)
            assert (p.x, p.y) == (4, 2), (p.x, p.y)
            assert type(p).__module__ == "siphon"
            """,
            ("n", New("Fixtures.BoundTypes.Node")), ("other", New("Fixtures.BoundTypes.Node")), ("Point", T("Point")));
    }

    [Fact]
    public void Every_property_kind_converts_and_docs_reach_python()
    {
        RunPython("""
            assert (x.name, x.big, x.small, x.flag, x.ratio) == ("name", 1 << 40, 7, True, 0.5)
            assert (x.raw, x.body, x.headers, x.tags) == (b"\x01\x02\x03", b"\x04", {}, ["a"])
            assert (x.http_version, x.content_type, x.method) == ("1.1", "text/plain", "GET")
            assert not hasattr(x, "hidden")
            assert d.check(1) is True and d.check(0) is None
            assert type(d).__doc__.startswith("A documented class. Spread over several lines")
            assert type(d).check.__doc__ == "Returns None or True; reads max_count."
            """, ("x", New("Fixtures.Properties.Everything")), ("d", New("Fixtures.Docs.Documented")));
    }

    [Fact]
    public void PyOwned_results_go_over_as_they_are_and_PySelf_gets_the_object_itself() =>
        RunPython("""
            assert m.name == "mirror"
            assert m.reflect() is m and m.reflect("x") == "x" and m.reflect(tag="y") == "y"
            raises(TypeError, lambda: m.reflect("a", "b"), "at most 1")
            assert m.either() == "text" and m.either("bytes") == b"\x01\x02"
            raises(TypeError, lambda: m.either("int"), "no Python conversion for a Int32 result")
            """, ("m", New("Fixtures.PythonObjects.Mirror")));

    [Fact]
    public void Cached_properties_convert_once_per_python_object_and_release_their_values()
    {
        var frozen = New("Fixtures.Cached.Frozen");
        RunPython("""
            import gc, sys
            assert f.reads() == 0
            a = f.name
            assert a == "frozen" and f.name is a and f.reads() == 1
            p = f.params
            assert p == {"id": "7"} and f.params is p
            assert f.missing is None and f.missing is None
            assert f.raw == b"\x01\x02" and f.raw is f.raw
            assert f.label == "label" and f.label is f.label
            s = f.self
            assert f.self is s and s is not f and type(s) is type(f)
            assert f.reads() == 5, f.reads()          # one call per counting cached getter
            assert f.live != f.live                   # uncached: a call per read
            # A script's change to a cached dict stays with that Python object; another wrapper
            # of the same C# object converts its own.
            p["x"] = "y"
            assert f.params == {"id": "7", "x": "y"} and g.params == {"id": "7"}
            # Each read hands out a new reference; the cell keeps exactly one.
            before = sys.getrefcount(p)
            for _ in range(1000): f.params
            assert sys.getrefcount(p) == before
            # The cells are in the instance (one pointer each) and the collector sees them.
            assert type(f).__basicsize__ == type(x).__basicsize__ + 6 * 8, type(f).__basicsize__
            assert gc.is_tracked(f) and not gc.is_tracked(x)
            assert any(r is p for r in gc.get_referents(f)) and type(f) in gc.get_referents(f)
            # Dropping the object drops its cell's reference.
            c = f.copy()
            d = c.params
            held = sys.getrefcount(d)
            del c
            assert sys.getrefcount(d) == held - 1
            # A cycle through a cached dict is collected (RunPython checks the handle is freed).
            c = f.copy()
            c.params["me"] = c
            del c
            gc.collect()
            """, ("f", frozen), ("g", frozen), ("x", New("Fixtures.Properties.Everything")));
    }
}
