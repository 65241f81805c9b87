using System.Net;
using System.Net.WebSockets;
using System.Text;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>What surrounds a websocket handler: a (req, call_next) wrapper (its answer counts before
/// accept(), not after; call_next returns when the handler ends) and request_timeout_ms, which
/// covers only the time until accept().</summary>
public class WebSocketChainTests(SharedHosts hosts) : IClassFixture<SharedHosts>
{
    private const string Script = """
        import asyncio
        from siphon import http, log

        @http.middleware
        async def wrap(req, call_next):
            resp = await call_next(req)
            log.info(f"wrapper saw {resp.status} for {req.path}")
            if resp.status == 403:
                return http.Response(418, {"x-wrapped": "yes"}, "teapot instead of 403")
            return http.Response(299, {}, "ignored after accept")

        @http.websocket("/ws/refuse")
        async def refuse(ws):
            return

        @http.websocket("/ws/once")
        async def once(ws):
            await ws.accept()
            await ws.send("hello")
            log.info("once handler ending")

        @http.websocket("/ws/slow")
        async def slow(ws):
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                log.info("slow handler cancelled before accept")
                raise
            await ws.accept()
        """;

    private Task<(SiphonProcess Siphon, TempDir Dir)> Host() => hosts.Get("chain", async () =>
    {
        var dir = new TempDir();
        var siphon = await SiphonProcess.StartAsync(dir.Write("chain.py", Script), dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
                request_timeout_ms: 500
            """));
        return (Siphon: siphon, Dir: dir);
    }, async host =>
    {
        await host.Siphon.DisposeAsync();
        host.Dir.Dispose();
    });

    private static Uri Ws(SiphonProcess siphon, string path) => new(siphon.Url.Replace("http://", "ws://") + path);

    [Fact]
    public async Task A_wrappers_answer_replaces_the_refusal_before_accept()
    {
        var (siphon, _) = await Host();
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(Ws(siphon, "/ws/refuse"), default));
        Assert.Equal((HttpStatusCode)418, ws.HttpStatusCode);
        Assert.Equal("yes", ws.HttpResponseHeaders!["x-wrapped"].Single());
    }

    [Fact]
    public async Task After_accept_call_next_returns_when_the_handler_ends_and_the_wrappers_answer_is_not_used()
    {
        var (siphon, _) = await Host();
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(Ws(siphon, "/ws/once"), default);
        var buffer = new byte[64];
        var r = await ws.ReceiveAsync(buffer, default);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, r.Count));
        r = await ws.ReceiveAsync(buffer, default);
        Assert.Equal(WebSocketMessageType.Close, r.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus); // not the wrapper's 299
        await siphon.WaitForOutputAsync("wrapper saw 403 for /ws/once");
        var output = siphon.Output;
        Assert.True(output.IndexOf("once handler ending", StringComparison.Ordinal) < output.IndexOf("wrapper saw 403 for /ws/once", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_timeout_ms_before_accept_answers_504_and_cancels_the_handler()
    {
        var (siphon, _) = await Host();
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(Ws(siphon, "/ws/slow"), default));
        Assert.Equal(HttpStatusCode.GatewayTimeout, ws.HttpStatusCode);
        await siphon.WaitForOutputAsync("slow handler cancelled before accept");
    }
}
