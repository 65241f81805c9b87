using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>SIGTERM with 100 slow requests in flight (half async, half sync on the pool), in each
/// worker set-up: every one is answered, new connections are refused at once, on_shutdown ran in
/// every worker, exit 0.</summary>
public class DrainTests
{
    private static async Task Drain(IEnumerable<string> args, IDictionary<string, string>? env = null, int workers = 1)
    {
        using var dir = new TempDir();
        var log = Path.Combine(dir.Path, "events.log");
        var script = dir.Write("drain.py", $$"""
            import asyncio, os, time
            from siphon import http

            def note(what):
                with open({{JsonSerializer.Serialize(log)}}, "a") as f:
                    f.write(f"{what} {os.getpid()}\n")

            @http.on_shutdown
            def stopped():
                note("shutdown")

            @http.route("/slow/async")
            async def slow_async(req):
                note("start")
                await asyncio.sleep(1.5)
                return http.Response(body="done")

            @http.route("/slow/sync")
            def slow_sync(req):
                note("start")
                time.sleep(1.5)
                return http.Response(body="done")
            """);
        // A ceiling above 50, so every sync request is running (not queued) when SIGTERM comes.
        var config = dir.Write("http.yaml", "sync_threads_max: 64\nservers:\n  - listen: \"127.0.0.1:0\"\n");
        await using var siphon = await SiphonProcess.StartAsync(script, config, args, env);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 200 }) { Timeout = TimeSpan.FromSeconds(60) };
        var inflight = Enumerable.Range(0, 100).Select(i => client.GetAsync($"{siphon.Url}/slow/{(i % 2 == 0 ? "async" : "sync")}")).ToArray();
        var sw = Stopwatch.StartNew();
        while (!File.Exists(log) || File.ReadAllLines(log).Count(l => l.StartsWith("start ")) < 100)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), "100 requests did not all start");
            await Task.Delay(20);
        }

        siphon.Signal(15);
        // New connections are refused while the 100 drain.
        var refused = false;
        for (var i = 0; i < 100 && !refused; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(RawHttp.EndPointOf(siphon.Url));
                await Task.Delay(10);
            }
            // Refused once the listening socket is closed; reset when the connection had reached the
            // backlog of a worker's SO_REUSEPORT socket that then closed (processes mode).
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset) { refused = true; }
        }
        Assert.True(refused, "new connections were still accepted after SIGTERM");

        var answers = await Task.WhenAll(inflight);
        var drained = sw.Elapsed;
        Assert.All(answers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(0, await siphon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var pids = File.ReadAllLines(log).Where(l => l.StartsWith("start ")).Select(l => l.Split(' ')[1]).ToHashSet();
        var shutdowns = File.ReadAllLines(log).Count(l => l.StartsWith("shutdown "));
        Assert.Equal(workers, shutdowns);
        Assert.DoesNotContain("Fatal Python error", siphon.Output);
        Console.WriteLine($"drain {string.Join(' ', args)}: 100/100 answered 200 in {drained.TotalSeconds:F1} s from the first request, " +
                          $"served by {pids.Count} process(es), new connections refused, on_shutdown ran {shutdowns}×, exit 0");
    }

    [Fact]
    public Task One_worker() => Drain([]);

    [Fact]
    public Task Two_worker_processes() => Drain(["--workers", "2"], workers: 2);

    [Python313Fact]
    public Task Two_worker_interpreters() =>
        Drain(["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!], Pythons.WithoutSuitePython(), workers: 2);
}
