using System.Net;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Leaks through the real host: after a warm-up, tens of thousands more requests (sync and
/// async handlers, bodies in and out, 404s and 500s) leave Python's allocated blocks (every object,
/// GC-tracked or not: bound instances too) and the
/// process's RSS flat. Bounds are loose on purpose: a leak of one object or one buffer per request
/// would blow through them (40,000 blocks; 16 MiB is 400 bytes a request), noise would not.
/// Measured here: blocks +64 to +246 (freelists, caches), RSS +3 to +4 MiB.</summary>
public class LeakTests
{
    private const string Script = """
        import asyncio, gc, json, sys
        from siphon import http

        @http.route("/users/{id}", methods=["GET", "POST"])
        async def user(req):
            await asyncio.sleep(0)
            return http.Response(200, {"content-type": "application/json"},
                                 json.dumps({"id": req.path_params["id"], "q": req.query_params, "n": len(req.body())}))

        @http.route("/sync/{id}")
        def sync(req):
            return http.Response(body=req.headers.get("x-id", "") + req.path)

        @http.route("/boom")
        def boom(req):
            raise ValueError("expected")

        @http.route("/objects")
        def objects(req):
            gc.collect()
            return http.Response(body=str(sys.getallocatedblocks()))
        """;

    [Fact]
    public async Task Many_requests_leave_python_objects_and_rss_flat()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("leak.py", Script));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { Timeout = TimeSpan.FromSeconds(60) };

        async Task Load(int count)
        {
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) <= count)
                {
                    using var msg = (i % 4) switch
                    {
                        0 => new HttpRequestMessage(HttpMethod.Post, $"{siphon.Url}/users/{i}?a={i}") { Content = new ByteArrayContent(new byte[i % 700]) },
                        1 => new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/sync/{i}") { Headers = { { "x-id", i.ToString() } } },
                        2 => new HttpRequestMessage(HttpMethod.Get, i % 40 == 2 ? $"{siphon.Url}/boom" : $"{siphon.Url}/nope/{i}"),
                        _ => new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/users/{i}"),
                    };
                    using var r = await client.SendAsync(msg);
                    await r.Content.ReadAsByteArrayAsync();
                }
            }));
        }

        async Task<long> PythonBlocks() => long.Parse(await client.GetStringAsync($"{siphon.Url}/objects"));
        long Rss() => long.Parse(File.ReadLines($"/proc/{siphon.Pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

        await Load(8_000); // warm-up: JIT tiers, pools, caches, the GC's budgets
        var objects0 = await PythonBlocks();
        var rss0 = Rss();
        await Load(40_000);
        var objects1 = await PythonBlocks();
        var rss1 = Rss();

        Assert.True(objects1 - objects0 < 2_000, $"allocated Python blocks grew from {objects0} to {objects1} over 40,000 requests");
        Assert.True(rss1 - rss0 < 16L << 20, $"RSS grew from {rss0 >> 20} MiB to {rss1 >> 20} MiB over 40,000 requests");
        using var ok = await client.GetAsync($"{siphon.Url}/users/1");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
