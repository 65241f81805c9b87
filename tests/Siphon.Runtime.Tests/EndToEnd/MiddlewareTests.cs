using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Wrap-around middleware, <c>(req, call_next)</c>, on the real host over sockets. The
/// dispatch rows (order with guards, 404/405/413/500 through call_next, short-circuit, twice, bad
/// results) are in tests/parity/cases_wrap.json (ParityTests); these cover what the table cannot:
/// load errors, where plain wrappers run, all-plain chains on the sync pool, timeouts, logging,
/// HTTP/2 and the example.</summary>
public class MiddlewareTests
{
    private static HttpClient Client() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<(SiphonProcess Siphon, TempDir Dir)> Start(string script, string limits = "")
    {
        var dir = new TempDir();
        var path = dir.Write("app.py", script);
        var config = dir.Write("http.yaml", $"servers:\n  - listen: \"127.0.0.1:0\"\n{limits}");
        return (await SiphonProcess.StartAsync(path, config), dir);
    }

    private static string Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? string.Join(", ", v)
        : r.Content.Headers.TryGetValues(name, out var c) ? string.Join(", ", c) : "";

    // ---------------------------------------------------------------- registration

    [Theory]
    [InlineData("def three(req, call_next, extra):", "three(req, call_next, extra)")]
    [InlineData("async def none():", "none()")]
    [InlineData("def varargs(*args):", "varargs(args)")]
    public async Task A_middleware_of_any_other_arity_fails_the_load_naming_the_script_line(string def, string shown)
    {
        using var dir = new TempDir();
        var script = dir.Write("arity.py", $"from siphon import http\n\n\n@http.middleware\n{def}\n    return None\n");
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        await using var p = SiphonProcess.Launch(["run", script, "--listen", $"127.0.0.1:{port}"], dir.Path);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("arity.py:4", p.Output);
        Assert.Contains(shown, p.Output);
        Assert.Contains("must take (req) to guard or (req, call_next) to wrap", p.Output);
        using var c = new TcpClient();
        Assert.ThrowsAny<SocketException>(() => c.Connect(IPAddress.Loopback, port));
    }

    // ---------------------------------------------------------------- where wrappers run

    private const string Placement = """
        import asyncio, threading
        from siphon import http

        def on_loop():
            try:
                asyncio.get_running_loop()
                return "yes"
            except RuntimeError:
                return "no"

        @http.middleware
        def plain(req, call_next):
            where = on_loop()
            resp = call_next(req)
            return http.Response(resp.status, {**resp.headers, "x-plain-on-loop": where}, resp.body)

        @http.middleware
        def guard(req):
            return http.Response(403, None, "no\n") if req.header("x-deny") else None

        @http.route("/sync")
        def sync(req):
            return http.Response(200, {"x-handler-on-loop": on_loop()}, "sync\n")

        @http.route("/async")
        async def async_(req):
            await asyncio.sleep(0)
            return http.Response(200, {"x-handler-on-loop": on_loop()}, "async\n")

        async def later():
            await asyncio.sleep(0.01)
            return http.Response(200, {"x-handler-on-loop": on_loop()}, "coroutine\n")

        @http.route("/coro")
        def coro(req):
            return later()

        @http.route("/sleep")
        def sleep(req):
            threading.Event().wait(2.0)
            return http.Response(200, None, "slept\n")

        @http.route("/fast")
        async def fast(req):
            return http.Response(200, None, "fast\n")
        """;

    [Fact]
    public async Task A_plain_wrapper_runs_off_the_loop_around_plain_async_and_coroutine_returning_handlers()
    {
        var (siphon, dir) = await Start(Placement);
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client();
        foreach (var (path, body, handlerOnLoop) in new[] { ("/sync", "sync\n", "no"), ("/async", "async\n", "yes"), ("/coro", "coroutine\n", "yes") })
        {
            using var r = await client.GetAsync($"{siphon.Url}{path}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(body, await r.Content.ReadAsStringAsync());
            Assert.Equal("no", Header(r, "x-plain-on-loop"));
            Assert.Equal(handlerOnLoop, Header(r, "x-handler-on-loop"));
        }
        // All-plain wrappers: the host's 404 goes through them on the sync pool.
        using var missing = await client.GetAsync($"{siphon.Url}/missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("no", Header(missing, "x-plain-on-loop"));
        Assert.Equal("not found\n", await missing.Content.ReadAsStringAsync());
        using var denied = new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/sync") { Headers = { { "x-deny", "1" } } };
        using var d = await client.SendAsync(denied);
        Assert.Equal(HttpStatusCode.Forbidden, d.StatusCode);
        Assert.Equal("no", Header(d, "x-plain-on-loop"));
    }

    [Fact]
    public async Task A_plain_wrapper_blocked_in_its_route_does_not_hold_up_async_routes()
    {
        var (siphon, dir) = await Start(Placement);
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client();
        var slow = client.GetAsync($"{siphon.Url}/sleep");
        await Task.Delay(200);
        using var fast = await client.GetAsync($"{siphon.Url}/fast");
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
        Assert.False(slow.IsCompleted, "the fast route was answered only after the sleeping one");
        using var s = await slow;
        Assert.Equal("slept\n", await s.Content.ReadAsStringAsync());
    }

    // ---------------------------------------------------------------- timeouts, logs

    private const string Timing = """
        import asyncio
        from siphon import http

        cancelled = []

        @http.middleware
        async def wrap(req, call_next):
            try:
                return await call_next(req)
            except asyncio.CancelledError:
                cancelled.append("wrapper")
                raise

        @http.route("/slow")
        async def slow(req):
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append("handler")
                raise
            return http.Response(200)

        @http.route("/cancelled")
        async def seen(req):
            return http.Response(200, None, ",".join(sorted(cancelled)))

        @http.middleware
        async def twice(req, call_next):
            resp = await call_next(req)
            if req.header("x-twice"):
                await call_next(req)
            return resp
        """;

    [Fact]
    public async Task A_timeout_answers_504_and_cancels_the_whole_chain()
    {
        var (siphon, dir) = await Start(Timing, "    request_timeout_ms: 500\n");
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client();
        using var r = await client.GetAsync($"{siphon.Url}/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, r.StatusCode);
        var seen = "";
        await Wait.UntilAsync(async () => (seen = await client.GetStringAsync($"{siphon.Url}/cancelled")) == "handler,wrapper",
            () => $"both cancelled, saw '{seen}'", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Calling_call_next_twice_answers_500_and_logs_which_middleware_did()
    {
        var (siphon, dir) = await Start(Timing);
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client();
        using var msg = new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/cancelled") { Headers = { { "x-twice", "1" } } };
        using var r = await client.SendAsync(msg);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Equal("internal server error\n", await r.Content.ReadAsStringAsync());
        await siphon.WaitForOutputAsync("called call_next twice", TimeSpan.FromSeconds(5));
        Assert.Matches(@"GET /cancelled: middleware twice \(.*app\.py:\d+\) called call_next twice", siphon.Output);
        using var ok = await client.GetAsync($"{siphon.Url}/cancelled");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    // ---------------------------------------------------------------- HTTP/2, the example

    [Fact]
    public async Task Over_http2_wrappers_see_routes_404_405_and_413()
    {
        var (siphon, dir) = await Start(File.ReadAllText(Path.Combine(SiphonProcess.RepoRoot, "examples", "timing.py")), "    max_body_bytes: 8\n");
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client();
        HttpRequestMessage H2(HttpMethod m, string path, string? body = null) => new(m, $"{siphon.Url}{path}")
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body is null ? null : new StringContent(body),
        };
        using var ok = await client.SendAsync(H2(HttpMethod.Get, "/users/7"));
        Assert.Equal(HttpVersion.Version20, ok.Version);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Matches(@"^\d+\.\d$", Header(ok, "x-elapsed-ms"));
        using var missing = await client.SendAsync(H2(HttpMethod.Get, "/nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/json", Header(missing, "content-type"));
        Assert.Equal("/nope", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("path").GetString());
        using var wrongMethod = await client.SendAsync(H2(HttpMethod.Delete, "/users/7"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("GET, HEAD", Header(wrongMethod, "allow"));
        Assert.NotEqual("", Header(wrongMethod, "x-elapsed-ms"));
        using var big = await client.SendAsync(H2(HttpMethod.Get, "/users/7", "more than eight bytes"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.NotEqual("", Header(big, "x-elapsed-ms"));
        using var after = await client.SendAsync(H2(HttpMethod.Get, "/users/8"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Python313Fact]
    public async Task In_sub_interpreter_workers_every_worker_runs_its_wrappers()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", """
            import _interpreters
            from siphon import http

            INTERP = str(_interpreters.get_current()[0])

            @http.middleware
            def plain(req, call_next):
                resp = call_next(req)
                return http.Response(resp.status, {**resp.headers, "x-interp": INTERP}, resp.body)

            @http.middleware
            async def wrap(req, call_next):
                resp = await call_next(req)
                return http.Response(resp.status, {**resp.headers, "x-wrapped": "1"}, resp.body)

            @http.route("/ok")
            def ok(req):
                return http.Response(200, None, "ok\n")
            """);
        await using var siphon = await SiphonProcess.StartAsync(script,
            extraArgs: ["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!], env: Pythons.WithoutSuitePython());
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { Timeout = TimeSpan.FromSeconds(60) };
        var interpreters = new HashSet<string>();
        var rounds = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var r = await client.GetAsync($"{siphon.Url}/{(i % 2 == 0 ? "ok" : "missing")}");
            return (r.StatusCode, Wrapped: Header(r, "x-wrapped"), Interp: Header(r, "x-interp"));
        }));
        foreach (var (status, wrapped, interp) in rounds)
        {
            Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound });
            Assert.Equal("1", wrapped);
            interpreters.Add(interp);
        }
        Assert.Equal(2, interpreters.Count); // both workers answered, each through its own wrappers
    }

    [Fact]
    public async Task A_413_through_a_wrapper_closes_the_http11_connection_whatever_the_wrapper_answers()
    {
        var (siphon, dir) = await Start("""
            from siphon import http

            @http.middleware
            async def forgive(req, call_next):
                resp = await call_next(req)
                return http.Response(200, None, f"was {resp.status}, body {len(req.body())}\n")

            @http.route("/up", methods=["POST"])
            def up(req):
                return http.Response(200, None, "handler\n")
            """, "    max_body_bytes: 4\n");
        await using var _ = siphon;
        using var __ = dir;
        var reply = await RawHttp.ExchangeAsync(siphon.Url, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
        Assert.StartsWith("HTTP/1.1 200", reply);
        Assert.Contains("Connection: close", reply);
        Assert.EndsWith("was 413, body 0\n", reply);
    }

    // ---------------------------------------------------------------- leaks

    [Fact]
    public async Task Requests_through_wrappers_leave_python_objects_and_rss_flat()
    {
        var (siphon, dir) = await Start("""
            import asyncio, gc, sys
            from siphon import http

            @http.middleware
            async def outer(req, call_next):
                resp = await call_next(req)
                return http.Response(resp.status, {**resp.headers, "x-outer": "1"}, resp.body)

            @http.middleware
            def inner(req, call_next):
                return call_next(req)

            @http.route("/users/{id}", methods=["GET", "POST"])
            async def user(req):
                await asyncio.sleep(0)
                return http.Response(200, None, req.path_params["id"])

            @http.route("/boom")
            def boom(req):
                raise ValueError("expected")

            @http.route("/objects")
            def objects(req):
                gc.collect()
                return http.Response(body=str(sys.getallocatedblocks()))
            """, "    max_body_bytes: 64\n");
        await using var _ = siphon;
        using var __ = dir;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(60) };

        async Task Load(int count)
        {
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) <= count)
                {
                    using var msg = (i % 4) switch
                    {
                        0 => new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/nope/{i}"),
                        1 => new HttpRequestMessage(HttpMethod.Delete, $"{siphon.Url}/users/{i}"),
                        2 => i % 40 == 2 ? new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/boom")
                            : new HttpRequestMessage(HttpMethod.Post, $"{siphon.Url}/users/{i}") { Content = new ByteArrayContent(new byte[100]) },
                        _ => new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/users/{i}"),
                    };
                    using var r = await client.SendAsync(msg);
                    Assert.Equal("1", Header(r, "x-outer"));
                    await r.Content.ReadAsByteArrayAsync();
                }
            }));
        }

        async Task<long> PythonBlocks() => long.Parse(await client.GetStringAsync($"{siphon.Url}/objects"));
        long Rss() => long.Parse(File.ReadLines($"/proc/{siphon.Pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

        await Load(5_000); // warm-up: JIT tiers, pools, caches
        var objects0 = await PythonBlocks();
        var rss0 = Rss();
        await Load(20_000);
        var objects1 = await PythonBlocks();
        var rss1 = Rss();
        // Loose on purpose (as LeakTests): one leaked object or buffer per request would blow through them.
        Assert.True(objects1 - objects0 < 2_000, $"allocated Python blocks grew from {objects0} to {objects1} over 20,000 requests");
        Assert.True(rss1 - rss0 < 12L << 20, $"RSS grew from {rss0 >> 20} MiB to {rss1 >> 20} MiB over 20,000 requests");
    }
}
