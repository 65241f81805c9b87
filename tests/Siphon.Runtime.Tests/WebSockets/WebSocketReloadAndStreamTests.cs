using System.Net.WebSockets;
using System.Text;
using Siphon.Runtime.Tests.EndToEnd;
using Siphon.Runtime.Tests.Reliability;
using Xunit.Abstractions;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>A websocket across a live reload (it stays on the version it entered, which retires
/// when the socket ends) and a 256 MiB binary stream through one socket within bounded memory.</summary>
public class WebSocketReloadAndStreamTests(ITestOutputHelper output)
{
    private static string Version(string v) => $$"""
        from siphon import http, log

        @http.websocket("/ws/version")
        async def version(ws):
            await ws.accept()
            async for msg in ws:
                await ws.send("{{v}}:" + msg)

        @http.on_shutdown
        def retired():
            log.info("version {{v}} retired")
        """;

    private static async Task<string> Ask(ClientWebSocket ws, string msg)
    {
        await ws.SendAsync(Encoding.UTF8.GetBytes(msg), WebSocketMessageType.Text, true, default);
        var buffer = new byte[256];
        var r = await ws.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        return Encoding.UTF8.GetString(buffer, 0, r.Count);
    }

    [Fact]
    public async Task An_open_socket_stays_on_its_version_which_retires_when_the_socket_ends()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Version("v1"));
        await using var siphon = await SiphonProcess.StartAsync(script);
        var url = siphon.Url.Replace("http://", "ws://") + "/ws/version";
        using var old = new ClientWebSocket();
        await old.ConnectAsync(new Uri(url), default);
        Assert.Equal("v1:a", await Ask(old, "a"));

        File.WriteAllText(script, Version("v2"));
        siphon.Signal(1); // SIGHUP: reload
        await siphon.WaitForOutputAsync("reloaded (SIGHUP): version 2 serving");
        using var fresh = new ClientWebSocket();
        await fresh.ConnectAsync(new Uri(url), default);
        Assert.Equal("v2:b", await Ask(fresh, "b"));
        Assert.Equal("v1:c", await Ask(old, "c")); // still served by the version it entered
        Assert.DoesNotContain("version v1 retired", siphon.Output);

        await old.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        await siphon.WaitForOutputAsync("version v1 retired"); // its last socket ended
        Assert.Equal("v2:d", await Ask(fresh, "d"));
        await fresh.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
    }

    private const int Messages = 256; // of 1 MiB

    [FullModeFact]
    public async Task A_256_MiB_binary_stream_through_one_socket_keeps_peak_rss_growth_under_32_MiB()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("sink.py", """
            import hashlib
            from siphon import http

            @http.websocket("/ws/sink")
            async def sink(ws):
                await ws.accept()
                h = hashlib.sha256(); n = 0
                async for msg in ws:
                    h.update(msg); n += len(msg)
                    if n % (64 * 1024 * 1024) == 0:
                        await ws.send(f"{n} {h.hexdigest()}")
            """));
        static long PeakKiB(int pid) =>
            long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        using (var warm = new ClientWebSocket()) // the websocket code paths jitted, as on a host that has served one
        {
            await warm.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + "/ws/sink"), default);
            await warm.SendAsync(new byte[16], WebSocketMessageType.Binary, true, default);
            await warm.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        }
        var before = ProcessStats.RssKiB(siphon.Pid);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(siphon.Url.Replace("http://", "ws://") + "/ws/sink"), default);
        var chunk = new byte[1024 * 1024];
        new Random(7).NextBytes(chunk);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var reply = new byte[256];
        for (var i = 1; i <= Messages; i++)
        {
            await ws.SendAsync(chunk, WebSocketMessageType.Binary, true, default);
            sha.AppendData(chunk);
            if (i % 64 != 0) continue;
            var r = await ws.ReceiveAsync(reply, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            var expected = $"{i * 1024L * 1024} {Convert.ToHexStringLower(sha.GetCurrentHash())}";
            Assert.Equal(expected, Encoding.UTF8.GetString(reply, 0, r.Count));
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default);
        var peak = PeakKiB(siphon.Pid);
        output.WriteLine($"RSS before {before} KiB, peak {peak} KiB: +{(peak - before) / 1024} MiB over 256 MiB through one socket");
        Assert.True(peak - before < 32 * 1024, $"peak RSS grew {(peak - before) / 1024} MiB over a 256 MiB stream");
    }
}
