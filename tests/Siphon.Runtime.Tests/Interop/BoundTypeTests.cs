using Siphon.Runtime.Http;
using Siphon.Runtime.Hosting.Dispatch;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Tests.Interop;

/// <summary>The generated glue of Request/Response against a real CPython: conversions, errors
/// both ways, and reference/handle balance over a million cycles.</summary>
[Collection("python")]
public unsafe class BoundTypeTests
{
    private static readonly object s_setup = new();
    private static bool s_installed;

    private static void EnsureSiphon()
    {
        PythonFixture.Ensure();
        lock (s_setup)
        {
            if (s_installed) return;
            using var gil = Gil.Acquire();
            NativeModule.Install(_ => PyConvert.None());
            s_installed = true;
        }
    }

    private static Request SampleRequest() => new("GET", "/items/7", "limit=5&limit=9&q=a%20b",
        [new("host", "example"), new("x-multi", "a, b")], "payload"u8.ToArray(), "127.0.0.1:5000", null,
        new Dictionary<string, string> { ["id"] = "7" });

    [Fact]
    public void Response_built_in_python_converts_str_bodies_to_bytes_and_exposes_its_members()
    {
        EnsureSiphon();
        using var gil = Gil.Acquire();
        Assert.Equal("True", PythonFixture.RunString("from siphon import http\nr = http.Response(status=201, body='x')", "str(r.body == b'x')"));
        Assert.Equal("201|{'A': 'b'}|b''", PythonFixture.RunString(
            "from siphon import http\nr = http.Response(201, {'A': 'b'})", "f'{r.status}|{r.headers}|{r.body!r}'"));
        Assert.Equal("200|b'\\xc3\\xa9'", PythonFixture.RunString(
            "from siphon import http\nr = http.Response(body='é')", "f'{r.status}|{r.body!r}'"));
        Assert.Equal("siphon.http", PythonFixture.RunString("from siphon import http", "http.Response.__module__"));
    }

    [Theory]
    [InlineData("http.Response(status=99)", "ValueError", "100-599")]
    [InlineData("http.Response(status=600)", "ValueError", "100-599")]
    [InlineData("http.Response(headers={'X-A': 'a\\r\\nInjected: 1'})", "ValueError", "CR or LF")]
    [InlineData("http.Response(headers={'X\\nA': 'a'})", "ValueError", "CR or LF")]
    [InlineData("http.Response(status='200')", "TypeError", "status: expected int, got str")]
    [InlineData("http.Response(body=5)", "TypeError", "body must be bytes, str, an async iterable of bytes/str, or None, got int")]
    [InlineData("http.Response(nope=1)", "TypeError", "unexpected keyword argument 'nope'")]
    [InlineData("http.Response(200, None, None, 4)", "TypeError", "positional")]
    [InlineData("http.Response(status=404).raise_for_status()", "HttpStatusError", "HTTP status 404")]
    public void A_csharp_exception_in_a_bound_member_is_catchable_in_python(string expression, string type, string message)
    {
        EnsureSiphon();
        using var gil = Gil.Acquire();
        var caught = PythonFixture.RunString($$"""
            from siphon import http
            try:
                {{expression}}
                caught = "nothing raised"
            except Exception as e:
                caught = f"{type(e).__name__}: {e}"
            """, "caught");
        Assert.StartsWith(type + ": ", caught);
        Assert.Contains(message, caught);
    }

    [Fact]
    public void Raise_for_status_carries_the_response_and_returns_it_when_fine()
    {
        EnsureSiphon();
        using var gil = Gil.Acquire();
        Assert.Equal("503 503 True", PythonFixture.RunString("""
            from siphon import http
            ok = http.Response(status=204)
            same = ok.raise_for_status() is ok
            try:
                http.Response(status=503, body=b'down').raise_for_status()
            except http.HttpStatusError as e:
                got = f"{e.status} {e.response.status} {same}"
            """, "got"));
    }

    [Fact]
    public void Request_members_convert_lazily_and_correctly()
    {
        EnsureSiphon();
        using var gil = Gil.Acquire();
        using var req = PyOwned.Adopt(BoundObject.Wrap(SampleRequest()));
        var text = PythonFixture.RunString("""
            out = "|".join([req.method, req.path, repr(req.path_params), repr(req.query_params),
                            repr(req.headers), req.client, repr(req.client_cert), repr(req.body()),
                            repr(req.header("X-MULTI")), repr(req.header("absent"))])
            """, "out", new Dictionary<string, nint> { ["req"] = req.Handle });
        Assert.Equal("GET|/items/7|{'id': '7'}|{'limit': '9', 'q': 'a b'}|{'host': 'example', 'x-multi': 'a, b'}|127.0.0.1:5000|None|b'payload'|'a, b'|None", text);
        var e = Assert.Throws<PythonException>(() => { using var r = PyOwned.Adopt(PythonFixture.Run("from siphon import http\nhttp.Request()")); });
        Assert.Equal("TypeError", e.PythonType);
    }

    [Fact]
    public void A_million_create_read_drop_cycles_leave_refcounts_and_handles_balanced()
    {
        EnsureSiphon();
        using var gil = Gil.Acquire();
        var request = SampleRequest();
        var type = BindingRegistry.TypeOf(typeof(Request));
        var name = (byte*)Utf8Z.Of("method");
        // Warm up (first reads intern strings and fill caches), then measure.
        for (var i = 0; i < 1000; i++) Cycle();
        var handles = BoundObject.LiveHandles;
        var typeRefs = *(nint*)type;
        for (var i = 0; i < 1_000_000; i++) Cycle();
        Assert.Equal(handles, BoundObject.LiveHandles);
        Assert.Equal(typeRefs, *(nint*)type);

        void Cycle()
        {
            var obj = BoundObject.Wrap(request);
            var value = CApi.PyObject_GetAttrString(obj, name);
            if (value == 0) throw PyErrors.Fetch();
            CApi.Py_DecRef(value);
            CApi.Py_DecRef(obj);
        }
    }

    [Fact]
    public void A_million_responses_made_and_dropped_in_python_leave_no_handles()
    {
        EnsureSiphon();
        using var gil = Gil.Acquire();
        using (var warm = PyOwned.Adopt(PythonFixture.Run("from siphon import http\nfor i in range(1000): http.Response(body=b'x').body"))) { }
        var handles = BoundObject.LiveHandles;
        var typeRefs = *(nint*)BindingRegistry.TypeOf(typeof(Response));
        using (var r = PyOwned.Adopt(PythonFixture.Run("from siphon import http\nfor i in range(1_000_000): http.Response(status=200, headers={'a': 'b'}, body='x').headers"))) { }
        Assert.Equal(handles, BoundObject.LiveHandles);
        Assert.Equal(typeRefs, *(nint*)BindingRegistry.TypeOf(typeof(Response)));
    }
}
