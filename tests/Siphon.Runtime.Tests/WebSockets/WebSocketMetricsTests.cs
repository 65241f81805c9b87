using System.Net.WebSockets;
using System.Text;
using Siphon.Runtime.Tests.EndToEnd;
using Siphon.Runtime.Tests.Operations;
using Siphon.Tests.Shared;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>The admin listener's websocket instruments: open sockets and messages each way, by route pattern.</summary>
public class WebSocketMetricsTests
{
    [Fact]
    public async Task Open_sockets_and_messages_in_and_out_per_route_pattern()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("app.py", """
            from siphon import http

            @http.websocket("/ws/echo/{id}")
            async def echo(ws):
                await ws.accept()
                async for msg in ws:
                    await ws.send(msg)
                    await ws.send(msg)
            """), dir.Write("http.yaml", Admin.Config()));
        var admin = await Admin.UrlAsync(siphon);
        double Value(List<PrometheusText.Sample> s, string name, string? direction = null) =>
            s.Where(x => x.Name == name && x.Labels.GetValueOrDefault("route") == "/ws/echo/{id}"
                         && (direction is null || x.Labels.GetValueOrDefault("direction") == direction)).Sum(x => x.Value);

        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < 2; i++)
        {
            var ws = new ClientWebSocket();
            await ws.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + $"/ws/echo/{i}"), default);
            sockets.Add(ws);
            var buffer = new byte[64];
            for (var m = 0; m < 3; m++)
            {
                await ws.SendAsync(Encoding.UTF8.GetBytes($"m{m}"), WebSocketMessageType.Text, true, default);
                await ws.ReceiveAsync(buffer, default);
                await ws.ReceiveAsync(buffer, default);
            }
        }
        var s = await Admin.ScrapeAsync(admin);
        Assert.Equal(2, Value(s, "siphon_websockets_open"));
        Assert.Equal(6, Value(s, "siphon_websocket_messages_total", "in"));
        Assert.Equal(12, Value(s, "siphon_websocket_messages_total", "out"));

        foreach (var ws in sockets) await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        await Wait.UntilAsync(async () => Value(await Admin.ScrapeAsync(admin), "siphon_websockets_open") == 0,
            "siphon_websockets_open back to 0", TimeSpan.FromSeconds(15));
    }
}
