using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Siphon.Runtime.Tests.Cache;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>processes mode's start-up promise: no worker takes a connection (and /readyz is 503)
/// until every worker has loaded its script and run its on_startup hooks.</summary>
public class StartupOrderTests
{
    // Whichever worker claims second waits in on_startup for the file "gate" (the test creates it,
    // or never does); each loaded worker leaves "loaded-first"/"loaded-second" with its pid, and
    // each on_shutdown a line in "shutdown".
    private static string Script(string dir) => $$"""
        import asyncio, os, pathlib
        from siphon import http

        DIR = pathlib.Path({{JsonSerializer.Serialize(dir)}})

        @http.on_startup
        async def started():
            try:
                os.close(os.open(DIR / "claim", os.O_CREAT | os.O_EXCL))
                role = "first"
            except FileExistsError:
                role = "second"
                while not (DIR / "gate").exists():
                    await asyncio.sleep(0.02)
            (DIR / f"loaded-{role}").write_text(str(os.getpid()))

        @http.on_shutdown
        def stopped():
            with open(DIR / "shutdown", "a") as f:
                f.write(f"{os.getpid()}\n")

        @http.route("/who")
        async def who(req):
            return http.Response(body=(DIR / "loaded-second").read_text())
        """;

    [Fact]
    public async Task No_request_is_answered_until_every_worker_has_loaded()
    {
        using var dir = new TempDir();
        var gate = Path.Combine(dir.Path, "gate");
        var script = dir.Write("slow.py", Script(dir.Path));
        var port = RedisServer.FreePort();
        var adminPort = RedisServer.FreePort();
        var config = dir.Write("http.yaml", $"""
            workers: 2
            admin:
              listen: "127.0.0.1:{adminPort}"
            servers:
              - listen: "127.0.0.1:{port}"
            """);
        await using var siphon = SiphonProcess.Launch(["run", script, "--config", config], dir.Path);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await Until(() => File.Exists(Path.Combine(dir.Path, "loaded-first")) && File.Exists(Path.Combine(dir.Path, "claim")), siphon);
        // One worker has loaded and the other is held in on_startup: for as long as the test looks
        // (a window, not a wait for something), nothing may accept on the port, and /readyz says no.
        var window = Stopwatch.StartNew();
        var looks = 0;
        while (window.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            var refused = await Assert.ThrowsAsync<SocketException>(async () =>
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
            });
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
            using var ready = await http.GetAsync($"http://127.0.0.1:{adminPort}/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            looks++;
            await Task.Delay(50);
        }
        Assert.True(looks >= 5, $"only {looks} looks in the window");
        Assert.DoesNotContain("siphon: listening on", siphon.Output);
        Assert.False(File.Exists(Path.Combine(dir.Path, "loaded-second")));

        File.WriteAllText(gate, "");
        await Until(() => siphon.Output.Contains($"listening on http://127.0.0.1:{port}"), siphon);
        // Every answer comes after both loaded: the handler reads the second worker's marker.
        for (var i = 0; i < 10; i++)
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "loaded-second")), await http.GetStringAsync($"http://127.0.0.1:{port}/who"));
        await Until(async () => (await http.GetAsync($"http://127.0.0.1:{adminPort}/readyz")).StatusCode == HttpStatusCode.OK, siphon);
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task A_SIGTERM_while_a_worker_is_still_loading_stops_the_loaded_ones_with_their_hooks_and_binds_nothing()
    {
        using var dir = new TempDir();
        var script = dir.Write("slow.py", Script(dir.Path)); // no gate: the second worker never loads
        await using var siphon = SiphonProcess.Launch(["run", script, "--listen", "127.0.0.1:0", "--workers", "2"], dir.Path);
        await Until(() => File.Exists(Path.Combine(dir.Path, "loaded-first")), siphon);
        // The loaded worker logs its Python just before it waits for the go (its SIGTERM handler).
        await Until(() => siphon.Output.Contains(" siphon[w"), siphon);
        siphon.Signal(15);
        await siphon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("siphon: listening on", siphon.Output);
        // The loaded worker ran its on_shutdown hooks (it was waiting for the go, not killed); the
        // one still in on_startup was ended by the signal (the exit status says so: 1).
        Assert.Single(File.ReadAllLines(Path.Combine(dir.Path, "shutdown")));
    }

    private static async Task Until(Func<bool> condition, SiphonProcess siphon) => await Until(() => Task.FromResult(condition()), siphon);

    private static async Task Until(Func<Task<bool>> condition, SiphonProcess siphon)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"condition not met; output:\n{siphon.Output}");
            await Task.Delay(20);
        }
    }
}
