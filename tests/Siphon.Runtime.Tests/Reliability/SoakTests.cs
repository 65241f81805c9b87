using System.Net;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>256 connections for 10 s (60 s with SIPHON_RELIABILITY=long) on a fast sync route and
/// a route that calls an upstream through http.Client: no socket errors, no unexpected status, and
/// RSS flat between the first and the second half.</summary>
[Collection(AloneCollection.Name)]
public class SoakTests
{
    [Fact]
    public async Task Soak_256_connections_on_a_fast_route_and_an_upstream_route()
    {
        await using var upstream = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, "upstream " + ctx.Request.Path));
        using var dir = new TempDir();
        var script = dir.Write("soak.py", """
            from siphon import http

            @http.route("/fast")
            def fast(req):
                return http.Response(body="fast")

            @http.route("/via/{n}")
            async def via(req):
                resp = await http.Client("up").get(f"/n/{req.path_params['n']}")
                return http.Response(resp.status, body=resp.body)
            """);
        var config = dir.Write("http.yaml", $"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              up:
                base_url: "{upstream.Url}"
                pool_size: 64
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        var urls = new[] { $"{siphon.Url}/fast", $"{siphon.Url}/via/7" };
        static bool Ok(HttpStatusCode s, string body) => s == HttpStatusCode.OK && body is "fast" or "upstream /n/7";

        // Warm-up (JIT, pools, GC heaps), then two halves: RSS at the end of each.
        await Load.RunAsync(urls, 64, TimeSpan.FromSeconds(2), Ok);
        var half = ReliabilityMode.Soak / 2;
        var first = await Load.RunAsync(urls, 256, half, Ok);
        var rssFirst = ProcessStats.RssKiB(siphon.Pid);
        var second = await Load.RunAsync(urls, 256, half, Ok);
        var rssSecond = ProcessStats.RssKiB(siphon.Pid);

        var report = $"first half: {first}; second half: {second}; RSS {rssFirst} → {rssSecond} KiB";
        Console.WriteLine($"soak {ReliabilityMode.Soak.TotalSeconds} s: {report}");
        Assert.True(first.SocketErrors + second.SocketErrors == 0, report);
        Assert.True(first.Unexpected + second.Unexpected == 0, report);
        Assert.True(first.Requests > 1000 && second.Requests > 1000, report);
        // Flat: a leak of 100 bytes a request over the second half would exceed this.
        Assert.True(rssSecond - rssFirst < Math.Max(16 * 1024, second.Requests / 10), report);
        Assert.Equal(0, await siphon.StopAsync());
    }
}
