using System.Net;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>A worker process that dies (os.abort() from a handler) in processes mode: the
/// supervisor restarts it and the other worker keeps answering. The requests in flight on the dead
/// worker are lost (their connections close without an answer); the README says so.</summary>
public class CrashTests
{
    [Fact]
    public async Task An_aborted_worker_is_restarted_and_only_its_own_in_flight_requests_are_lost()
    {
        using var dir = new TempDir();
        var script = dir.Write("crash.py", """
            import asyncio, os
            from siphon import http

            @http.route("/abort")
            def abort(req):
                os.abort()

            @http.route("/slow")
            async def slow(req):
                await asyncio.sleep(2)
                return http.Response(body=str(os.getpid()))

            @http.route("/pid")
            async def pid(req):
                return http.Response(body=str(os.getpid()))
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, extraArgs: ["--workers", "2"]);

        async Task<string> Fresh(string path)
        {
            using var c = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(30) };
            return await c.GetStringAsync($"{siphon.Url}{path}");
        }
        var pids = new HashSet<string>();
        for (var i = 0; i < 200 && pids.Count < 2; i++) pids.Add(await Fresh("/pid"));
        Assert.Equal(2, pids.Count);

        // 20 slow requests spread over both workers by the kernel, then an abort on one of them.
        var slow = Enumerable.Range(0, 20).Select(_ => RawHttp.SendAsync(siphon.Url, "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).ToArray();
        var sockets = await Task.WhenAll(slow);
        await Task.Delay(300);
        using (var abort = await RawHttp.SendAsync(siphon.Url, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n"))
            Assert.Equal("", await RawHttp.ReadToCloseAsync(abort)); // its own connection dies unanswered
        var answers = await Task.WhenAll(sockets.Select(async s => { using (s) return await RawHttp.ReadToCloseAsync(s); }));
        var answered = answers.Where(a => a.StartsWith("HTTP/1.1 200")).ToList();
        var lost = answers.Count(a => a.Length == 0);
        Assert.Equal(20, answered.Count + lost);
        Assert.True(lost > 0 && answered.Count > 0, $"{answered.Count} answered, {lost} lost: the kernel put all 20 on one worker");
        var survivor = Assert.Single(answered.Select(a => a[(a.LastIndexOf('\n') + 1)..]).Distinct());

        await siphon.WaitForOutputAsync("restarting it", TimeSpan.FromSeconds(30));
        Assert.Contains("exited (134); restarting it", siphon.Output); // 128 + SIGABRT
        var after = new HashSet<string>();
        for (var i = 0; i < 400 && after.Count < 2; i++)
        {
            after.Add(await Fresh("/pid"));
            if (after.Count < 2) await Task.Delay(20);
        }
        Assert.Equal(2, after.Count);
        Assert.Contains(survivor, after);
        Console.WriteLine($"worker crash: {lost} of 20 in-flight requests lost (all of those on the aborted worker), {answered.Count} answered by the survivor; restarted");
        Assert.Equal(0, await siphon.StopAsync());
    }
}
