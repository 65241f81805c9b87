using System.Net;

namespace Siphon.Runtime.Tests.Dispatch;

/// <summary>The functional part of bench/mixed.sh, on its own app (bench/mixed_app.py): while 20
/// plain routes sleep 200 ms each on the sync pool and a CPU-bound async route keeps the loop busy,
/// every request is answered, and the fast async route is answered meanwhile, not after them. How
/// fast is the bench's to say, never a test's.</summary>
[Collection("python")]
public sealed class MixedLoadTests
{
    [Fact]
    public async Task While_sleeping_plain_routes_and_a_cpu_bound_route_run_the_fast_route_is_answered_and_so_is_every_request()
    {
        await using var siphon = await InProcessHost.StartAsync(File.ReadAllText(Path.Combine(Repo.Root, "bench", "mixed_app.py")));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(60) };

        async Task<string> Get(string path)
        {
            using var r = await client.GetAsync(siphon.Url + path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return await r.Content.ReadAsStringAsync();
        }

        var sleepers = Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            for (var k = 0; k < 2; k++) Assert.Equal($"slept {i}", await Get($"/sleep/{i}"));
        }));
        var cpu = Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            var n = 0;
            while (!sleepers.IsCompleted || n == 0)
            {
                Assert.True(long.Parse(await Get("/cpu")) > 0);
                n++;
            }
            return n;
        }));
        int fastDuring = 0, fastTotal = 0;
        while (!sleepers.IsCompleted)
        {
            Assert.Equal("fast", await Get("/fast"));
            fastTotal++;
            if (!sleepers.IsCompleted) fastDuring++;
        }
        await sleepers; // every sleeping request answered, each with its own route's body
        Assert.All(await cpu, n => Assert.True(n > 0));
        Assert.True(fastDuring >= 3, $"the fast route was answered {fastDuring} times while the sleeping routes ran ({fastTotal} in all)");
    }
}
