using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Tests.Interop;

/// <summary>Request's members are [PyProperty(Cached = true)] (issue 16): converted on the first read
/// of each Python request object, the same Python object afterwards, and released with the
/// request (or by the collector, through a cycle) — in the main interpreter and in a sub-interpreter.
/// The tests wrap requests themselves, so they need no siphon package in the interpreter.</summary>
[Collection("python")]
public unsafe class RequestCacheTests
{
    private static Request SampleRequest() => new("GET", "/items/7", "limit=5&q=a%20b",
        [new("host", "example"), new("x-multi", "a, b")], "payload"u8.ToArray(), "127.0.0.1:5000", "CN=client",
        new Dictionary<string, string> { ["id"] = "7" });

    // Every cached member: each read gives the same object, with the right value; a script's change
    // to a dict stays with its own request object.
    private const string IdentityCheck = """
        names = ["method", "path", "path_params", "query_params", "headers", "client", "client_cert"]
        first = [getattr(req, n) for n in names]
        assert all(getattr(req, n) is v for n, v in zip(names, first)), "a second read gave a new object"
        assert req.path_params is req.path_params
        assert first == ["GET", "/items/7", {"id": "7"}, {"limit": "5", "q": "a b"},
                         {"host": "example", "x-multi": "a, b"}, "127.0.0.1:5000", "CN=client"], first
        assert req.path_params["id"] == "7"
        req.path_params["id"] = "8"
        assert req.path_params == {"id": "8"} and other.path_params == {"id": "7"}
        assert __import__("gc").is_tracked(req)
        ok = "ok"
        """;

    private static string CheckIdentity()
    {
        var request = SampleRequest();
        using var req = PyOwned.Adopt(BoundObject.Wrap(request));
        using var other = PyOwned.Adopt(BoundObject.Wrap(request));
        return PythonFixture.RunString(IdentityCheck, "ok", new Dictionary<string, nint> { ["req"] = req.Handle, ["other"] = other.Handle });
    }

    [Fact]
    public void Each_member_is_the_same_object_on_every_read_and_has_the_right_value()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        Assert.Equal("ok", CheckIdentity());
        Assert.Equal("7", SampleRequest().PathParams["id"]); // the C# side is never written through
    }

    [Fact]
    public void Many_requests_read_twice_and_dropped_leave_refcounts_handles_and_memory_balanced()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        var request = SampleRequest();
        var type = BindingRegistry.TypeOf(typeof(Request));
        var names = new[] { "method", "path", "path_params", "query_params", "headers", "client", "client_cert" }
            .Select(n => (nint)Utf8Z.Of(n)).ToArray();
        for (var i = 0; i < 1000; i++) Cycle(); // warm-up: interned names, free lists
        var handles = BoundObject.LiveHandles;
        var typeRefs = *(nint*)type;
        var blocks = AllocatedBlocks();
        for (var i = 0; i < 200_000; i++) Cycle();
        Assert.Equal(handles, BoundObject.LiveHandles);
        Assert.Equal(typeRefs, *(nint*)type);
        // A cell that kept one value too many would leave 200k blocks (or 1.4M) behind; allow noise.
        Assert.InRange(AllocatedBlocks() - blocks, -2000, 2000);

        void Cycle()
        {
            var obj = BoundObject.Wrap(request);
            for (var pass = 0; pass < 2; pass++)
                foreach (var name in names)
                {
                    var value = CApi.PyObject_GetAttrString(obj, (byte*)name);
                    if (value == 0) throw PyErrors.Fetch();
                    CApi.Py_DecRef(value);
                }
            CApi.Py_DecRef(obj);
        }
    }

    [Fact]
    public void A_request_kept_alive_only_by_its_own_cached_dict_is_collected()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        using (var warm = PyOwned.Adopt(PythonFixture.Run("import gc\ngc.collect()"))) { }
        var handles = BoundObject.LiveHandles;
        var obj = BoundObject.Wrap(SampleRequest());
        using (var r = PyOwned.Adopt(PythonFixture.Run("req.headers['me'] = req", inject: new Dictionary<string, nint> { ["req"] = obj }))) { }
        CApi.Py_DecRef(obj); // now only the cycle req -> cell -> dict -> req holds it
        Assert.Equal(handles + 1, BoundObject.LiveHandles);
        using (var r = PyOwned.Adopt(PythonFixture.Run("import gc\ngc.collect()"))) { }
        Assert.Equal(handles, BoundObject.LiveHandles);
    }

    [FixturePython313Fact]
    public void Cached_members_work_the_same_in_a_sub_interpreter()
    {
        PythonFixture.Ensure();
        string? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var sub = PythonRuntime.CreateSubInterpreter();
                try
                {
                    result = CheckIdentity(); // its Request type comes from PyType_FromSpec
                    var handles = BoundObject.LiveHandles;
                    var obj = BoundObject.Wrap(SampleRequest());
                    using (var r = PyOwned.Adopt(PythonFixture.Run("req.path_params['me'] = req", inject: new Dictionary<string, nint> { ["req"] = obj }))) { }
                    CApi.Py_DecRef(obj);
                    using (var r = PyOwned.Adopt(PythonFixture.Run("import gc\ngc.collect()"))) { }
                    Assert.Equal(handles, BoundObject.LiveHandles);
                }
                finally
                {
                    PythonRuntime.EndSubInterpreter(sub);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { Name = "sub-interpreter cache test" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw new Xunit.Sdk.XunitException($"in the sub-interpreter: {failure}");
        Assert.Equal("ok", result);
    }

    private static long AllocatedBlocks()
    {
        using var n = PyOwned.Adopt(PythonFixture.Run("import sys", "sys.getallocatedblocks()"));
        return PyConvert.ToInt64(n.Handle, "blocks");
    }
}
