using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>Websockets in both worker modes with two workers: every worker serves them (each
/// answers with its own pid and interpreter), and a socket stays on the worker it reached.</summary>
public class WebSocketWorkerModeTests
{
    private const string Script = """
        import json, os, threading
        from siphon import http

        @http.websocket("/ws/who")
        async def who(ws):
            await ws.accept()
            async for msg in ws:
                await ws.send(json.dumps([msg, os.getpid(), id(http)]))
        """;

    [Fact]
    public Task Two_worker_processes() => Serve(["--workers", "2"]);

    [Python313Fact]
    public Task Two_worker_interpreters() =>
        Serve(["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!], Pythons.WithoutSuitePython());

    private static async Task Serve(string[] args, IDictionary<string, string>? env = null)
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("who.py", Script), extraArgs: args, env: env);
        var workers = new HashSet<string>();
        for (var attempt = 0; attempt < 64 && workers.Count < 2; attempt++)
        {
            using var ws = new ClientWebSocket();
            await ws.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + "/ws/who"), default);
            string? first = null;
            for (var i = 0; i < 3; i++)
            {
                await ws.SendAsync(Encoding.UTF8.GetBytes($"m{i}"), WebSocketMessageType.Text, true, default);
                var buffer = new byte[256];
                var r = await ws.ReceiveAsync(buffer, default);
                var reply = JsonSerializer.Deserialize<JsonElement>(buffer.AsSpan(0, r.Count));
                Assert.Equal($"m{i}", reply[0].GetString());
                var worker = $"{reply[1]}/{reply[2]}";
                first ??= worker;
                Assert.Equal(first, worker); // one socket, one worker
            }
            workers.Add(first!);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        }
        Assert.Equal(2, workers.Count);
    }
}
