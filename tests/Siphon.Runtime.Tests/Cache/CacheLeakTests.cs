using System.Net;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Cache;

/// <summary>Cache calls through the real host leak nothing: after a warm-up, 20,000 more requests
/// each making every kind of call (values, lists, a CacheError and a ValueError raised into Python)
/// on the embedded store and on a real Redis leave Python's allocated blocks and the process's RSS
/// flat. The key set is fixed (100 keys), so the stores do not grow. Bounds as in LeakTests: a leak
/// of one object or one buffer per request would blow through them.</summary>
public class CacheLeakTests
{
    private const string Script = """
        import gc, sys
        from siphon import cache, http

        @http.route("/c/{name}/{i}")
        async def calls(req):
            name, i = req.path_params["name"], int(req.path_params["i"])
            key = f"k{i % 100}"
            await cache.store(name, key, "v" * (i % 300), ttl=60)
            value = await cache.fetch(name, key)
            await cache.exists(name, key)
            await cache.expire(name, key, 30)
            n = await cache.list_push(name, "l" + key, str(i))
            await cache.list_len(name, "l" + key)
            await cache.list_len_sum(name, "lk9")
            if i % 3 == 0:
                await cache.list_pop_all(name, "l" + key)
            try:
                await cache.list_push(name, key, "x")  # a string key: CacheError
            except cache.CacheError:
                pass
            try:
                await cache.fetch(name, "siphon:reserved")
            except ValueError:
                pass
            await cache.delete(name, "gone")
            return http.Response(body=f"{len(value)} {n}")

        @http.route("/objects")
        def objects(req):
            gc.collect()
            return http.Response(body=str(sys.getallocatedblocks()))
        """;

    [Fact]
    public async Task Many_cache_calls_leave_python_objects_and_rss_flat()
    {
        await using var redis = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var config = CacheEndToEndTests.Config(dir, $"""
            - name: mem
            - name: red
              url: "{redis.Url}"
              local_ttl_secs: 5
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("cacheleak.py", Script), config);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(60) };

        async Task Load(int count)
        {
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) <= count)
                {
                    using var r = await client.GetAsync($"{siphon.Url}/c/{(i % 2 == 0 ? "mem" : "red")}/{i}");
                    Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                }
            }));
        }

        async Task<long> PythonBlocks() => long.Parse(await client.GetStringAsync($"{siphon.Url}/objects"));
        long Rss() => long.Parse(File.ReadLines($"/proc/{siphon.Pid}/status").First(l => l.StartsWith("VmRSS:"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

        await Load(4_000);
        var objects0 = await PythonBlocks();
        var rss0 = Rss();
        await Load(20_000);
        var objects1 = await PythonBlocks();
        var rss1 = Rss();

        Assert.True(objects1 - objects0 < 2_000, $"allocated Python blocks grew from {objects0} to {objects1} over 20,000 requests");
        Assert.True(rss1 - rss0 < 16L << 20, $"RSS grew from {rss0 >> 20} MiB to {rss1 >> 20} MiB over 20,000 requests");
    }
}
