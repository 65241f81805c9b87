using System.Net;
using System.Text.RegularExpressions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Run to completion on the thread that read the request: an async chain that finishes
/// without suspending is run by the Kestrel thread itself when the worker's loop is parked, and no
/// Kestrel thread ever waits for the GIL — a sync handler spinning Python on the pool, or a thread
/// the script started, turns the inline path off while it may hold the GIL.</summary>
[Collection(AloneCollection.Name)]
public class InlineDispatchTests
{
    // A long switch interval makes a Kestrel thread that asked for a held GIL wait 200 ms, far above
    // anything scheduling noise gives; the test asserts the longest take of the GIL stays below it.
    private const string Script = """
        import asyncio, sys, threading, time
        from siphon import http

        sys.setswitchinterval(0.2)

        @http.route("/fast/{n}")
        async def fast(req):
            return http.Response(body=req.path_params["n"])

        @http.route("/sleepy")
        async def sleepy(req):
            await asyncio.sleep(0.01)
            return http.Response(body="slept")

        @http.route("/spin")
        def spin(req):
            end = time.perf_counter() + 0.3
            n = 0
            while time.perf_counter() < end:
                n += 1
            return http.Response(body=str(n))

        stop = threading.Event()

        def busy():
            while not stop.is_set():
                sum(range(1000))

        @http.route("/thread/start")
        async def start(req):
            threading.Thread(target=busy, daemon=True).start()
            return http.Response(body="started")

        @http.route("/thread/stop")
        async def stop_thread(req):
            stop.set()
            return http.Response(body="stopped")
        """;

    private static readonly Regex Summary = new(@"worker 0: (\d+) requests ran on the thread that read them \(longest take of the GIL: (\d+) us\)");

    [Fact]
    public async Task Async_requests_run_on_the_reading_thread_and_no_reader_ever_waits_for_the_gil()
    {
        using var dir = new TempDir();
        var siphon = await SiphonProcess.StartAsync(dir.Write("app.py", Script));
        await using var _ = siphon;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        // One at a time with the loop idle: each is run by the thread that read it.
        for (var i = 0; i < 50; i++)
            Assert.Equal(i.ToString(), await client.GetStringAsync($"{siphon.Url}/fast/{i}"));
        // A suspending handler: left to the loop, which is woken and answers it.
        Assert.Equal("slept", await client.GetStringAsync($"{siphon.Url}/sleepy"));

        // Sync handlers spinning Python on the pool while async requests arrive: no borrow while
        // a pool thread may hold the GIL, so no reader waits the 200 ms switch interval.
        var spinners = Enumerable.Range(0, 4).Select(_ => client.GetStringAsync($"{siphon.Url}/spin")).ToArray();
        var fasts = Enumerable.Range(0, 200).Select(i => client.GetStringAsync($"{siphon.Url}/fast/{i}")).ToArray();
        await Task.WhenAll(spinners.Concat(fasts));
        Assert.All(fasts.Select((t, i) => (t.Result, i)), x => Assert.Equal(x.i.ToString(), x.Result));

        // A thread the script started runs Python: the inline path is off while it lives.
        Assert.Equal("started", await client.GetStringAsync($"{siphon.Url}/thread/start"));
        var during = Enumerable.Range(0, 50).Select(i => client.GetStringAsync($"{siphon.Url}/fast/{i}")).ToArray();
        await Task.WhenAll(during);
        Assert.Equal("stopped", await client.GetStringAsync($"{siphon.Url}/thread/stop"));

        Assert.Equal(0, await siphon.StopAsync());
        var m = Summary.Match(siphon.Output);
        Assert.True(m.Success, siphon.Output);
        var inline = long.Parse(m.Groups[1].Value);
        var takeUs = long.Parse(m.Groups[2].Value);
        Assert.True(inline >= 50, $"only {inline} requests ran on the reading thread");
        Assert.True(takeUs < 100_000, $"a reading thread waited {takeUs} µs for the GIL");
    }
}
