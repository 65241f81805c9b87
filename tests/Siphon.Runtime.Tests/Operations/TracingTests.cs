using System.Net.Http.Headers;
using System.Text.Json;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Operations;

/// <summary>Tracing end to end: the real host with `tracing:` pointed at an OTLP/HTTP receiver the
/// test runs, an upstream that reports the traceparent it was sent, and requests that go through a
/// wrapper, a guard, plain functions on the sync pool and streamed bodies.</summary>
public class TracingTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    // An async wrapper on the loop, then a plain wrapper and a plain guard on a sync pool thread,
    // from where the async handler is run on the loop again (run_coroutine_threadsafe).
    private const string GatewayScript = """
        import json
        from siphon import http, log

        @http.middleware
        async def wrap(req, call_next):
            req.span.add_event("wrapped", {"path": req.path, "depth": 1})
            return await call_next(req)

        @http.middleware
        def plain_wrap(req, call_next):
            return call_next(req)

        @http.middleware
        def guard(req):
            log.info(f"guard saw {req.trace_id}")
            return None

        @http.route("/items/{id}")
        async def item(req):
            req.span.set_attribute("item.id", req.path_params["id"])
            req.span.set_attribute("item.count", 3)
            log.info("calling upstream")
            r = await http.Client("up").get("/v1/items/" + req.path_params["id"])
            return http.Response(200, {"content-type": "application/json"}, json.dumps({
                "trace_id": req.trace_id, "span_id": req.span_id, "recording": req.span.is_recording,
                "upstream": r.body.decode()}))

        async def fetch(path):
            return http.Response(200, {}, (await http.Client("up").get(path)).body)

        @http.route("/plain")
        def plain(req):
            return fetch("/v1/plain")   # a plain function's coroutine: awaited on the loop

        @http.route("/streamed")
        async def streamed(req):
            async def body():
                r = await http.Client("up").get("/v1/streamed")
                log.info("producer fetched")
                yield r.body
            return http.Response(200, {}, body())

        @http.route("/boom")
        async def boom(req):
            raise ValueError("boom")

        @http.route("/outbound-stream")
        async def outbound_stream(req):
            async with http.Client("up").stream("GET", "/v1/big") as resp:
                data = b"".join([c async for c in resp.aiter_bytes()])
            return http.Response(200, {}, data)
        """;

    private static async Task<Upstream> EchoTraceparentUpstream() =>
        await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200,
            ctx.Request.Headers.TryGetValue("traceparent", out var tp) ? tp.ToString() : "none"));

    /// <summary>The host serving <paramref name="script"/> with JSON logs, the access log, a client
    /// `up` to <paramref name="upstream"/> and <paramref name="tracing"/> (a `tracing:` section or
    /// none), and the exporter's batch delay (5 s by default) short, so a test waits for spans, not
    /// for a timer.</summary>
    private static Task<SiphonProcess> Serve(TempDir dir, string script, Upstream upstream, string? tracing, IEnumerable<string>? args = null,
        IDictionary<string, string>? env = null) =>
        SiphonProcess.StartAsync(dir.Write("app.py", script), dir.Write("http.yaml", $"""
            log_format: json
            access_log: true
            servers:
              - listen: "127.0.0.1:0"
            clients:
              up:
                base_url: "{upstream.Url}"
            {tracing ?? ""}
            """), extraArgs: args, env: new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["OTEL_BSP_SCHEDULE_DELAY"] = "50" });

    private static string TracingSection(string receiver, double ratio = 1.0) => $"""
        tracing:
          otlp_endpoint: "{receiver}"
          sample_ratio: {ratio.ToString(System.Globalization.CultureInfo.InvariantCulture)}
          service_name: gateway-under-test
        """;

    private static async Task<HttpResponseMessage> Get(string url, string? traceparent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (traceparent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        var response = await Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return response;
    }

    /// <summary>A traceparent's ids, and its sampled flag (bit 0; .NET also sets bit 1, "random trace id").</summary>
    private static (string Trace, string Span, bool Sampled) ParseTraceparent(string tp)
    {
        var parts = tp.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal("00", parts[0]);
        return (parts[1], parts[2], (Convert.ToInt32(parts[3], 16) & 1) == 1);
    }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static string? Str(JsonElement o, string name) => o.TryGetProperty(name, out var v) ? v.GetString() : null;

    [Fact]
    public async Task A_traceparent_is_continued_through_a_wrapper_a_guard_and_an_upstream_call()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await EchoTraceparentUpstream();
        using var dir = new TempDir();
        await using var siphon = await Serve(dir, GatewayScript, upstream, TracingSection(receiver.Url));

        const string callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736", callerSpan = "00f067aa0ba902b7";
        using var response = await Get(siphon.Url + "/items/7", $"00-{callerTrace}-{callerSpan}-01");
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(callerTrace, Str(answer, "trace_id"));
        var serverSpanId = Str(answer, "span_id")!;
        Assert.Matches("^[0-9a-f]{16}$", serverSpanId);
        Assert.NotEqual(callerSpan, serverSpanId);
        Assert.True(answer.GetProperty("recording").GetBoolean());
        var (upTrace, clientSpanId, upSampled) = ParseTraceparent(Str(answer, "upstream")!);
        Assert.Equal(callerTrace, upTrace);
        Assert.True(upSampled);

        var spans = await receiver.WaitForAsync(s => s.Any(x => x.SpanId == serverSpanId) && s.Any(x => x.SpanId == clientSpanId));
        var server = spans.Single(s => s.SpanId == serverSpanId);
        Assert.Equal(ReceivedSpan.Server, server.Kind);
        Assert.Equal(callerTrace, server.TraceId);
        Assert.Equal(callerSpan, server.ParentSpanId); // the caller's span is the parent
        Assert.Equal("GET /items/{id}", server.Name);   // the route pattern, not /items/7
        Assert.Equal("/items/{id}", server.Attribute("http.route"));
        Assert.Equal("200", server.Attribute("http.response.status_code"));
        Assert.Equal("0", server.Attribute("siphon.worker"));
        Assert.Equal("7", server.Attribute("item.id"));
        Assert.Equal(3L, server.Attributes["item.count"]);
        var wrapped = Assert.Single(server.Events, e => e.Name == "wrapped");
        Assert.Equal("/items/7", wrapped.Attributes["path"]);
        Assert.Equal(1L, wrapped.Attributes["depth"]);
        Assert.Equal("gateway-under-test", server.Resource["service.name"]);

        var client = spans.Single(s => s.SpanId == clientSpanId);
        Assert.Equal(ReceivedSpan.Client, client.Kind);
        Assert.Equal(callerTrace, client.TraceId);
        Assert.Equal(serverSpanId, client.ParentSpanId); // the http.Client call is the request's child
        Assert.Equal("GET", client.Name);
        Assert.Equal(upstream.Url + "/v1/items/7", client.Attribute("url.full"));
        Assert.Equal("200", client.Attribute("http.response.status_code"));

        // Log lines written while it ran carry its ids: the guard's (a pool thread), the handler's
        // (the loop) and the access log's (Kestrel's thread).
        Assert.Equal(0, await siphon.StopAsync());
        var lines = JsonLines(siphon.Output);
        foreach (var message in new[] { $"guard saw {callerTrace}", "calling upstream" })
        {
            var line = lines.Single(l => Str(l, "message") == message);
            Assert.Equal("app", Str(line, "category"));
            Assert.Equal(callerTrace, Str(line, "trace_id"));
            Assert.Equal(serverSpanId, Str(line, "span_id"));
        }
        var access = lines.Single(l => Str(l, "category") == "siphon.access" && Str(l, "target") == "/items/7");
        Assert.Equal(callerTrace, Str(access, "trace_id"));
        Assert.Equal(serverSpanId, Str(access, "span_id"));
        Assert.DoesNotContain(lines, l => Str(l, "category") == "siphon" && Str(l, "trace_id") is not null); // start-up lines: no request
    }

    [Fact]
    public async Task Without_a_traceparent_a_trace_starts_and_plain_functions_and_streamed_bodies_keep_the_parent_and_admin_requests_make_no_spans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await EchoTraceparentUpstream();
        using var dir = new TempDir();
        await using var siphon = await Serve(dir, GatewayScript, upstream, TracingSection(receiver.Url) + "\nadmin:\n  listen: \"127.0.0.1:0\"");
        var admin = await Admin.UrlAsync(siphon);
        Assert.Equal(200, (await Admin.GetAsync(admin + "/livez")).Status); // the admin listener's requests make no spans
        Assert.Equal(200, (await Admin.GetAsync(admin + "/metrics")).Status);

        foreach (var (path, route) in new[] { ("/plain", "/plain"), ("/streamed", "/streamed"), ("/outbound-stream", "/outbound-stream") })
        {
            using var response = await Get(siphon.Url + path);
            var (trace, clientSpanId, sampled) = ParseTraceparent(await response.Content.ReadAsStringAsync());
            Assert.True(sampled);
            var spans = await receiver.WaitForAsync(s => s.Any(x => x.SpanId == clientSpanId)
                && s.Any(x => x.TraceId == trace && x.Kind == ReceivedSpan.Server));
            var server = spans.Single(s => s.TraceId == trace && s.Kind == ReceivedSpan.Server);
            Assert.Equal("", server.ParentSpanId); // a new trace: the server span is its root
            Assert.Equal("GET " + route, server.Name);
            var client = spans.Single(s => s.SpanId == clientSpanId);
            Assert.Equal(ReceivedSpan.Client, client.Kind);
            Assert.Equal(trace, client.TraceId);
            Assert.Equal(server.SpanId, client.ParentSpanId);
        }

        // A handler that raises: the wrapper's call_next logs the traceback, in the request's trace,
        // and the 500 makes the server span's status an error.
        using (var boom = await Http.GetAsync(siphon.Url + "/boom")) Assert.Equal(500, (int)boom.StatusCode);
        var failed = (await receiver.WaitForAsync(s => s.Any(x => x.Name == "GET /boom"))).Single(x => x.Name == "GET /boom");
        Assert.Equal(2, failed.StatusCode); // STATUS_CODE_ERROR

        Assert.Equal(0, await siphon.StopAsync());
        Assert.DoesNotContain(receiver.Spans, s => s.Attribute("url.path") is "/livez" or "/metrics");
        Assert.Equal(4, receiver.Spans.Count(s => s.Kind == ReceivedSpan.Server));
        var traceback = JsonLines(siphon.Output).Single(l => Str(l, "message")!.StartsWith("GET /boom: ", StringComparison.Ordinal));
        Assert.Contains("ValueError: boom", Str(traceback, "message"));
        Assert.Equal((failed.TraceId, failed.SpanId), (Str(traceback, "trace_id"), Str(traceback, "span_id")));
        var producerLine = JsonLines(siphon.Output).Single(l => Str(l, "message") == "producer fetched");
        var streamedServer = receiver.Spans.Single(s => s.Name == "GET /streamed");
        Assert.Equal(streamedServer.TraceId, Str(producerLine, "trace_id"));
        Assert.Equal(streamedServer.SpanId, Str(producerLine, "span_id"));
    }

    [Fact]
    public async Task A_sampled_out_trace_is_propagated_but_not_exported_and_a_sync_chain_keeps_its_parent()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await EchoTraceparentUpstream();
        using var dir = new TempDir();
        // No wrapper and only plain functions: the chain runs whole on the sync pool, and the
        // coroutine the handler returns is started on the loop afterwards.
        await using var siphon = await Serve(dir, """
            from siphon import http, log

            @http.middleware
            def guard(req):
                return None

            async def fetch(req):
                log.info("fetching")
                r = await http.Client("up").get("/v1/sync")
                return http.Response(200, {}, r.body)

            @http.route("/sync")
            def sync(req):
                return fetch(req)
            """, upstream, TracingSection(receiver.Url, ratio: 0));

        // sample_ratio 0: a new trace is not recorded, but its ids still go upstream, marked not sampled.
        using (var response = await Get(siphon.Url + "/sync"))
        {
            var (trace, _, sampledOut) = ParseTraceparent(await response.Content.ReadAsStringAsync());
            Assert.False(sampledOut);
            // A caller's sampled trace is followed whatever the ratio.
            const string callerTrace = "0af7651916cd43dd8448eb211c80319c", callerSpan = "b7ad6b7169203331";
            using var sampled = await Get(siphon.Url + "/sync", $"00-{callerTrace}-{callerSpan}-01");
            var (sampledTrace, clientSpanId, followed) = ParseTraceparent(await sampled.Content.ReadAsStringAsync());
            Assert.Equal((callerTrace, true), (sampledTrace, followed));
            var spans = await receiver.WaitForAsync(s => s.Any(x => x.SpanId == clientSpanId)
                && s.Any(x => x.TraceId == callerTrace && x.Kind == ReceivedSpan.Server));
            var server = spans.Single(s => s.TraceId == callerTrace && s.Kind == ReceivedSpan.Server);
            Assert.Equal(callerSpan, server.ParentSpanId);
            Assert.Equal(server.SpanId, spans.Single(s => s.SpanId == clientSpanId).ParentSpanId);
            Assert.DoesNotContain(receiver.Spans, s => s.TraceId == trace);
        }
        Assert.Equal(0, await siphon.StopAsync());
        Assert.DoesNotContain(receiver.Spans, s => s.Kind == ReceivedSpan.Server && s.ParentSpanId == "");
    }

    [Python313Fact]
    public async Task In_sub_interpreter_workers_each_request_keeps_its_own_span()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await EchoTraceparentUpstream();
        using var dir = new TempDir();
        await using var siphon = await Serve(dir, GatewayScript, upstream, TracingSection(receiver.Url),
            ["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!], Pythons.WithoutSuitePython());

        // Concurrent requests, each waiting on its upstream call, spread over both workers
        // (least outstanding first) and interleave on each worker's loop.
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            using var response = await Get($"{siphon.Url}/items/{i}");
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }));
        var expected = answers.Select(a => (Server: Str(a, "span_id")!, Client: ParseTraceparent(Str(a, "upstream")!).Span)).ToList();
        var spans = await receiver.WaitForAsync(s => expected.All(e => s.Any(x => x.SpanId == e.Server) && s.Any(x => x.SpanId == e.Client)));
        foreach (var (server, client) in expected)
            Assert.Equal(server, spans.Single(s => s.SpanId == client).ParentSpanId);
        Assert.Equal(["0", "1"], spans.Where(s => s.Kind == ReceivedSpan.Server).Select(s => s.Attribute("siphon.worker")).Distinct().Order());
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task Without_tracing_nothing_is_recorded_or_propagated()
    {
        await using var upstream = await EchoTraceparentUpstream();
        using var dir = new TempDir();
        await using var siphon = await Serve(dir, GatewayScript, upstream, tracing: null);

        using var response = await Get(siphon.Url + "/items/9", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("trace_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("span_id").ValueKind);
        Assert.False(answer.GetProperty("recording").GetBoolean());
        Assert.Equal("none", Str(answer, "upstream")); // no Activity, so SocketsHttpHandler writes no traceparent
        Assert.Equal(0, await siphon.StopAsync());
        Assert.DoesNotContain(JsonLines(siphon.Output), l => l.TryGetProperty("trace_id", out _));
    }
}
