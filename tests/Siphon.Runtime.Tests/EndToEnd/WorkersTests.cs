using System.Net;
using System.Text.Json;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>workers: N as N processes sharing the port (SO_REUSEPORT).</summary>
public class WorkersTests
{
    [Fact]
    public async Task Two_workers_answer_every_request_correctly_and_run_their_hooks_once_each()
    {
        using var dir = new TempDir();
        var hooks = Path.Combine(dir.Path, "hooks.log");
        var script = dir.Write("pids.py", $$"""
            import os
            from siphon import http

            def note(what):
                with open({{JsonSerializer.Serialize(hooks)}}, "a") as f:
                    f.write(f"{what} {os.getpid()}\n")

            @http.on_startup
            def started():
                note("startup")

            @http.on_shutdown
            def stopped():
                note("shutdown")

            @http.route("/n/{n}")
            async def n(req):
                return http.Response(body=f"{req.path_params['n']} {os.getpid()}")
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, extraArgs: ["--workers", "2"]);
        Assert.Single(siphon.Urls); // one listening line per listener, printed by the supervisor
        // Ready once both workers serve: each has run its on_startup hook by then.
        siphon.AssertReadyAfterListening(1);
        Assert.Equal(2, File.ReadAllLines(hooks).Count(l => l.StartsWith("startup ", StringComparison.Ordinal)));

        var pids = new HashSet<string>();
        // A new connection per request, so the kernel spreads them across both workers.
        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
            using var msg = new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/n/{i}");
            msg.Headers.ConnectionClose = true;
            using var r = await client.SendAsync(msg);
            return (i, r.StatusCode, await r.Content.ReadAsStringAsync());
        }));
        foreach (var (i, status, body) in results)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            var parts = body.Split(' ');
            Assert.Equal(i.ToString(), parts[0]);
            pids.Add(parts[1]);
        }
        Assert.Equal(2, pids.Count);

        Assert.Equal(0, await siphon.StopAsync());
        var lines = File.ReadAllLines(hooks);
        var startups = lines.Where(l => l.StartsWith("startup ")).Select(l => l.Split(' ')[1]).ToList();
        var shutdowns = lines.Where(l => l.StartsWith("shutdown ")).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(2, startups.Count);
        Assert.Equal(2, startups.Distinct().Count());
        Assert.Equal(startups.Order(), shutdowns.Order());
        Assert.Equal(pids.Order(), startups.Order());
    }

    [Fact]
    public async Task A_worker_that_fails_to_load_stops_the_whole_server_with_its_message()
    {
        using var dir = new TempDir();
        var script = dir.Write("bad.py", "from siphon import http\nraise RuntimeError('bad at load')\n");
        await using var p = SiphonProcess.Launch(["run", script, "--listen", "127.0.0.1:0", "--workers", "2"], dir.Path);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("bad.py:2", p.Output);
        Assert.Contains("RuntimeError: bad at load", p.Output);
        Assert.DoesNotContain("listening on", p.Output);
    }
}
