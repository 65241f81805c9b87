using System.Net;
using System.Net.WebSockets;
using System.Text;
using Siphon.Runtime.Tests.EndToEnd;
using Siphon.Runtime.Tests.Reliability;
using Siphon.Tests.Shared;
using Xunit.Abstractions;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>Issue 28, @http.websocket routes end to end: .NET's ClientWebSocket against the real
/// host on 127.0.0.1, over HTTP/1.1 upgrade and HTTP/2 extended CONNECT (h2c): echo of text and
/// binary messages, the close codes (1000 on return, 1011 on raise, 1009 past max_message_bytes,
/// 403 never accepted, 503 past max_sockets), guard and Origin refusal, the 426 of a plain GET,
/// WebSocketDisconnect in the handler, and RSS over many connections. One host for the class.</summary>
public class WebSocketTests(ITestOutputHelper output, SharedHosts hosts) : IClassFixture<SharedHosts>
{
    private const string Script = """
        import gc, json, sys
        from siphon import http

        seen = []

        @http.middleware
        def guard(req):
            if req.query_params.get("deny") == "1":
                return http.Response(401, {"content-type": "text/plain"}, "denied by guard")
            return None

        @http.websocket("/ws/echo")
        async def echo(ws):
            await ws.accept()
            async for msg in ws:
                await ws.send(msg)

        @http.websocket("/ws/info/{id}")
        async def info(ws):
            await ws.accept(subprotocol="chat.v1", headers={"x-info": "yes"})
            await ws.send(json.dumps({"id": ws.path_params["id"], "x": ws.query_params.get("x"), "method": ws.method,
                                      "header": ws.header("X-Custom"), "client": ws.client[:9]}))

        @http.websocket("/ws/never")
        async def never(ws):
            return

        @http.websocket("/ws/boom")
        async def boom(ws):
            await ws.accept()
            await ws.receive()
            raise ValueError("boom in websocket handler")

        @http.websocket("/ws/hold")
        async def hold(ws):
            await ws.accept()
            try:
                while True:
                    await ws.receive()
            except http.WebSocketDisconnect as e:
                seen.append([e.code, e.reason])

        @http.route("/objects")
        def objects(req):
            gc.collect()
            return http.Response(200, {}, json.dumps([len(gc.get_objects()), sys.getallocatedblocks()]))

        @http.route("/seen")
        def seen_route(req):
            return http.Response(200, {"content-type": "application/json"}, json.dumps(seen))
        """;

    private Task<(SiphonProcess Siphon, TempDir Dir, TestCertificates Certs)> Host() => hosts.Get("ws", async () =>
    {
        var dir = new TempDir();
        var certs = TestCertificates.Create(dir.Path);
        var siphon = await SiphonProcess.StartAsync(dir.Write("ws.py", Script), dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
                websocket:
                  max_message_bytes: 65536
                  max_sockets: 4
                  allowed_origins: ["https://app.example.com"]
              - listen: "127.0.0.1:0"
                tls: {cert_path: server.crt, key_path: server.key}
            """));
        return (Siphon: siphon, Dir: dir, Certs: certs);
    }, async host =>
    {
        await host.Siphon.DisposeAsync();
        host.Dir.Dispose();
    });

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static async Task<ClientWebSocket> Connect(string baseUrl, string path, bool h2, Action<ClientWebSocketOptions>? options = null,
        TestCertificates? tls = null)
    {
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        if (h2)
        {
            ws.Options.HttpVersion = HttpVersion.Version20;
            ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact; // h2c by prior knowledge
        }
        options?.Invoke(ws.Options);
        using var cts = new CancellationTokenSource(Timeout);
        var handler = new SocketsHttpHandler();
        if (tls is not null) handler.SslOptions.RemoteCertificateValidationCallback = tls.ValidateServer;
        await ws.ConnectAsync(new Uri(baseUrl.Replace("https://", "wss://").Replace("http://", "ws://") + path), new HttpMessageInvoker(handler), cts.Token);
        return ws;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> Receive(ClientWebSocket ws)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[256 * 1024];
        var filled = 0;
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(filled), cts.Token);
            filled += r.Count;
            if (r.EndOfMessage) return (r.MessageType, buffer[..filled]);
        }
    }

    private static async Task<WebSocketCloseStatus?> ReceiveClose(ClientWebSocket ws)
    {
        var (type, _) = await Receive(ws);
        Assert.Equal(WebSocketMessageType.Close, type);
        return ws.CloseStatus;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Echoes_text_and_binary_messages(bool h2)
    {
        var (siphon, _, _) = await Host();
        using var ws = await Connect(siphon.Url, "/ws/echo", h2);
        Assert.Equal(h2 ? HttpStatusCode.OK : HttpStatusCode.SwitchingProtocols, ws.HttpStatusCode);
        for (var i = 0; i < 20; i++)
        {
            var text = $"héllo {i}";
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, default);
            var (type, data) = await Receive(ws);
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal(text, Encoding.UTF8.GetString(data));
        }
        var binary = Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7)).ToArray();
        // Sent in three frames: the host hands the script the whole message.
        await ws.SendAsync(binary.AsMemory(0, 20_000), WebSocketMessageType.Binary, false, default);
        await ws.SendAsync(binary.AsMemory(20_000, 20_000), WebSocketMessageType.Binary, false, default);
        await ws.SendAsync(binary.AsMemory(40_000), WebSocketMessageType.Binary, true, default);
        var (btype, bdata) = await Receive(ws);
        Assert.Equal(WebSocketMessageType.Binary, btype);
        Assert.Equal(binary, bdata);
        // A normal close ends the script's `async for`, and the handler's return closes with 1000.
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", new CancellationTokenSource(Timeout).Token);
        Assert.Equal(WebSocketState.Closed, ws.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Echoes_over_tls(bool h2)
    {
        var (siphon, _, certs) = await Host();
        using var ws = await Connect(siphon.Urls[1], "/ws/echo", h2, tls: certs);
        Assert.Equal(h2 ? HttpStatusCode.OK : HttpStatusCode.SwitchingProtocols, ws.HttpStatusCode);
        await ws.SendAsync("over tls"u8.ToArray(), WebSocketMessageType.Text, true, default);
        Assert.Equal("over tls", Encoding.UTF8.GetString((await Receive(ws)).Data));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", new CancellationTokenSource(Timeout).Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_socket_has_the_request_members_and_a_return_closes_with_1000(bool h2)
    {
        var (siphon, _, _) = await Host();
        using var ws = await Connect(siphon.Url, "/ws/info/a%20b?x=1", h2, o =>
        {
            o.AddSubProtocol("chat.v1");
            o.SetRequestHeader("X-Custom", "custom value");
        });
        Assert.Equal("chat.v1", ws.SubProtocol);
        Assert.Equal("yes", ws.HttpResponseHeaders!["x-info"].Single());
        var (_, data) = await Receive(ws);
        var text = Encoding.UTF8.GetString(data);
        Assert.Equal("{\"id\": \"a b\", \"x\": \"1\", \"method\": \"GET\", \"header\": \"custom value\", \"client\": \"127.0.0.1\"}", text);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await ReceiveClose(ws));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_handler_that_raises_closes_with_1011_and_logs_its_traceback(bool h2)
    {
        var (siphon, _, _) = await Host();
        using var ws = await Connect(siphon.Url, "/ws/boom", h2);
        await ws.SendAsync("go"u8.ToArray(), WebSocketMessageType.Text, true, default);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await ReceiveClose(ws));
        await siphon.WaitForOutputAsync("ValueError: boom in websocket handler");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_past_max_message_bytes_closes_with_1009(bool h2)
    {
        var (siphon, _, _) = await Host();
        using var ws = await Connect(siphon.Url, "/ws/echo", h2);
        await ws.SendAsync(new byte[65536], WebSocketMessageType.Binary, true, default); // at the limit: echoed
        Assert.Equal(65536, (await Receive(ws)).Data.Length);
        await ws.SendAsync(new byte[65537], WebSocketMessageType.Binary, true, default);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await ReceiveClose(ws));
    }

    [Fact]
    public async Task Refusals_answer_before_the_upgrade()
    {
        var (siphon, _, _) = await Host();
        async Task<HttpStatusCode> Refused(string path, Action<ClientWebSocketOptions>? options = null)
        {
            var ws = new ClientWebSocket();
            ws.Options.CollectHttpResponseDetails = true;
            options?.Invoke(ws.Options);
            await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + path), default));
            return ws.HttpStatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await Refused("/ws/never")); // never accepted
        Assert.Equal(HttpStatusCode.Unauthorized, await Refused("/ws/echo?deny=1")); // the guard's Response
        Assert.Equal(HttpStatusCode.Forbidden, await Refused("/ws/echo", o => o.SetRequestHeader("Origin", "https://evil.example.com")));
        using (var listed = await Connect(siphon.Url, "/ws/echo", false, o => o.SetRequestHeader("Origin", "https://app.example.com")))
            Assert.Equal(WebSocketState.Open, listed.State);
        var port = new Uri(siphon.Url).Port;
        using (var same = await Connect(siphon.Url, "/ws/echo", false, o => o.SetRequestHeader("Origin", $"http://127.0.0.1:{port}")))
            Assert.Equal(WebSocketState.Open, same.State);

        using var http = new HttpClient();
        var plain = await http.GetAsync(siphon.Url + "/ws/echo");
        Assert.Equal((HttpStatusCode)426, plain.StatusCode);
        Assert.Equal("websocket", plain.Headers.Upgrade.Single().Name);
    }

    [Theory]
    [InlineData(false, HttpStatusCode.OK)] // served as the plain GET it is; the client sees no 101
    [InlineData(true, HttpStatusCode.MethodNotAllowed)] // an extended CONNECT a 2xx would open: it stays a CONNECT
    public async Task An_upgrade_to_a_plain_route_opens_no_socket(bool h2, HttpStatusCode status)
    {
        var (siphon, _, _) = await Host();
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        if (h2)
        {
            ws.Options.HttpVersion = HttpVersion.Version20;
            ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        await Assert.ThrowsAsync<WebSocketException>(() =>
            ws.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + "/seen"), new HttpMessageInvoker(new SocketsHttpHandler()), default));
        Assert.Equal(status, ws.HttpStatusCode);
    }

    [Fact]
    public async Task Upgrades_past_max_sockets_get_503_until_one_closes()
    {
        var (siphon, _, _) = await Host();
        var open = new List<ClientWebSocket>();
        for (var i = 0; i < 4; i++) open.Add(await Connect(siphon.Url, "/ws/hold", i % 2 == 1));
        var over = new ClientWebSocket();
        over.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => over.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + "/ws/hold"), default));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, over.HttpStatusCode);

        // The peer's close reaches the handler as WebSocketDisconnect with its code and reason;
        // a peer that just goes away, as 1006.
        await open[0].CloseAsync((WebSocketCloseStatus)4001, "bye", new CancellationTokenSource(Timeout).Token);
        open[1].Abort();
        await Wait.UntilAsync(async () => (await Seen(siphon)).Contains("[4001, \"bye\"]") && (await Seen(siphon)).Contains("[1006, \"\"]"),
            () => "the handlers' WebSocketDisconnect codes", Timeout);
        using var again = await Connect(siphon.Url, "/ws/hold", false); // a slot is free again
        Assert.Equal(WebSocketState.Open, again.State);
        foreach (var ws in open.Skip(2)) await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        await again.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        foreach (var ws in open) ws.Dispose();
    }

    [Fact]
    public async Task Many_connections_leave_rss_flat()
    {
        var (siphon, _, _) = await Host();
        async Task Round(int connections)
        {
            await Parallel.ForAsync(0, connections, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            {
                using var ws = await Connect(siphon.Url, "/ws/echo", i % 2 == 0);
                await ws.SendAsync(Encoding.UTF8.GetBytes($"m{i}"), WebSocketMessageType.Text, true, default);
                Assert.Equal($"m{i}", Encoding.UTF8.GetString((await Receive(ws)).Data));
                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", new CancellationTokenSource(Timeout).Token);
            });
        }
        // Warm-up (pools, JIT, the allocator's arenas), then three more rounds: a ServerWebSocket,
        // session or coroutine kept per connection would add at least 1500 Python objects and
        // blocks. RSS is reported, and bounded loosely: without a forced collection .NET's GC lets
        // its heap grow by tens of MiB before it settles (its live bytes stay flat, measured by hand).
        await Round(500);
        var before = await Objects(siphon);
        var rss = ProcessStats.RssKiB(siphon.Pid);
        for (var round = 0; round < 3; round++) await Round(500);
        var after = await Objects(siphon);
        var rssAfter = ProcessStats.RssKiB(siphon.Pid);
        output.WriteLine($"Python objects {before[0]} -> {after[0]}, allocated blocks {before[1]} -> {after[1]}, RSS {rss} -> {rssAfter} KiB over 1500 websockets");
        Assert.True(after[0] - before[0] < 300, $"Python objects grew by {after[0] - before[0]} over 1500 websockets");
        Assert.True(after[1] - before[1] < 1000, $"Python's allocated blocks grew by {after[1] - before[1]} over 1500 websockets");
        Assert.True(rssAfter - rss < 64 * 1024, $"RSS grew {rssAfter - rss} KiB over 1500 websockets");
    }

    private static async Task<long[]> Objects(SiphonProcess siphon)
    {
        using var http = new HttpClient();
        return System.Text.Json.JsonSerializer.Deserialize<long[]>(await http.GetStringAsync(siphon.Url + "/objects"))!;
    }

    [Fact]
    public async Task Shutdown_closes_open_sockets_with_1001_and_their_handlers_end()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("ws.py", """
            from siphon import http, log

            @http.websocket("/ws/echo")
            async def echo(ws):
                await ws.accept()
                async for msg in ws:
                    await ws.send(msg)
                log.info("echo handler ended normally")
            """));
        using var h1 = await Connect(siphon.Url, "/ws/echo", false);
        using var h2 = await Connect(siphon.Url, "/ws/echo", true);
        var started = System.Diagnostics.Stopwatch.StartNew();
        siphon.Signal(); // SIGTERM; the default shutdown_grace_ms is far longer than this takes
        foreach (var ws in new[] { h1, h2 })
        {
            Assert.Equal((WebSocketCloseStatus)1001, await ReceiveClose(ws));
            await ws.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "", default); // the close handshake's reply
        }
        Assert.Equal(0, await siphon.WaitForExitAsync(Timeout));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {started.Elapsed}");
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(siphon.Output, "echo handler ended normally").Count);
    }

    private static async Task<string> Seen(SiphonProcess siphon)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(siphon.Url + "/seen");
    }
}
