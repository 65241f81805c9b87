using System.Diagnostics;
using Siphon.Runtime.Cache;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Cache;

/// <summary>One redis-server for the store tests of this class, flushed per test.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The stores behind siphon.cache, held to the same contract: the embedded store and a
/// real Redis (no mock of either). The Python-level table is in CacheEndToEndTests.</summary>
public class CacheStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    // The contract cases measure no time: a generous timeout, since ./test runs this suite beside the
    // runtime suites and a first connect has taken over a second there. The timeout cases set their own.
    private async Task<CacheStore> Make(string backend, int maxEntries = 1000, int? localTtl = null, int timeoutMs = 10_000, Func<long>? clockMs = null)
    {
        if (backend == "embedded") return new EmbeddedStore("t", maxEntries, clockMs);
        Assert.Equal("+OK", await redis.Server.CommandAsync("FLUSHALL"));
        RedisEndpoint.TryParse(redis.Server.Url, out var endpoint, out _);
        return new RedisStore(new CacheConfig
        {
            Name = "t", Redis = endpoint, LocalTtlSecs = localTtl, LocalMaxEntries = maxEntries, TimeoutMs = timeoutMs,
        }, clockMs: clockMs);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task The_contract_holds(string backend)
    {
        var s = await Make(backend);
        Assert.Null(await s.FetchAsync("k", None));
        Assert.False(await s.ExistsAsync("k", None));
        await s.StoreAsync("k", "v1", null, None);
        Assert.Equal("v1", await s.FetchAsync("k", None));
        Assert.True(await s.ExistsAsync("k", None));
        await s.StoreAsync("k", "v2", null, None);
        Assert.Equal("v2", await s.FetchAsync("k", None));
        await s.DeleteAsync("k", None);
        Assert.Null(await s.FetchAsync("k", None));
        await s.DeleteAsync("k", None); // deleting what is absent is fine
        Assert.False(await s.ExpireAsync("k", TimeSpan.FromSeconds(5), None));

        Assert.Equal(0, await s.ListLenAsync("q", None));
        Assert.Empty(await s.ListPopAllAsync("q", None));
        Assert.Equal(1, await s.ListPushAsync("q", "a", None));
        Assert.Equal(2, await s.ListPushAsync("q", "b", None));
        Assert.Equal(3, await s.ListPushAsync("q", "c", None));
        Assert.Equal(3, await s.ListLenAsync("q", None));
        Assert.True(await s.ExistsAsync("q", None));
        Assert.Equal(["a", "b", "c"], await s.ListPopAllAsync("q", None));
        Assert.Empty(await s.ListPopAllAsync("q", None));
        Assert.Equal(0, await s.ListLenAsync("q", None));

        // Lists share the keyspace with strings: the wrong kind of call is a CacheError.
        await s.StoreAsync("str", "x", null, None);
        await Assert.ThrowsAsync<CacheException>(() => s.ListPushAsync("str", "a", None));
        await Assert.ThrowsAsync<CacheException>(() => s.ListPopAllAsync("str", None));
        await s.ListPushAsync("lst", "a", None);
        await Assert.ThrowsAsync<CacheException>(() => s.FetchAsync("lst", None));
        await s.StoreAsync("lst", "now a string", null, None); // store replaces whatever was there, as SET does
        Assert.Equal("now a string", await s.FetchAsync("lst", None));

        // list_len_sum: prefix match on lists only; glob characters in the prefix are literal.
        await s.ListPushAsync("rl:a", "1", None);
        await s.ListPushAsync("rl:a", "2", None);
        await s.ListPushAsync("rl:b", "1", None);
        await s.ListPushAsync("rlx", "1", None);
        await s.StoreAsync("rl:c", "not a list", null, None);
        await s.ListPushAsync("g*[x]?\\", "1", None);
        await s.ListPushAsync("g*[x]?\\2", "1", None);
        await s.ListPushAsync("gz[x]?\\", "1", None);
        Assert.Equal(3, await s.ListLenSumAsync("rl:", None));
        Assert.Equal(4, await s.ListLenSumAsync("rl", None));
        Assert.Equal(2, await s.ListLenSumAsync("g*[x]?\\", None));
        Assert.Equal(0, await s.ListLenSumAsync("nothing", None));
        (s as IDisposable)?.Dispose();
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task Ttls_expire_keys_and_store_without_ttl_clears_one(string backend)
    {
        // The embedded store runs on this test's clock; Redis on its own, with the shortest TTL
        // store() and EXPIRE take (1 s, whole seconds), waited out by polling.
        long now = 1_000;
        var s = await Make(backend, clockMs: () => now);
        var sinceStore = Stopwatch.StartNew();
        await s.StoreAsync("short", "v", TimeSpan.FromSeconds(1), None);
        await s.StoreAsync("kept", "v", TimeSpan.FromSeconds(1), None);
        await s.StoreAsync("kept", "v", null, None);
        await s.ListPushAsync("list", "a", None);
        Assert.True(await s.ExpireAsync("list", TimeSpan.FromSeconds(1), None));
        var before = await s.FetchAsync("short", None);
        // Only a machine so loaded that these calls took the whole second excuses Redis.
        Assert.True(before == "v" || (backend == "redis" && sinceStore.Elapsed >= TimeSpan.FromSeconds(1)), $"fetched {before ?? "None"} before the TTL");
        if (backend == "embedded") now += 1_000;
        else
            await Wait.UntilAsync(async () => await s.FetchAsync("short", None) is null && await s.ListLenAsync("list", None) == 0,
                "Redis expired the 1 s keys", TimeSpan.FromSeconds(10));
        Assert.Null(await s.FetchAsync("short", None));
        Assert.False(await s.ExistsAsync("short", None));
        Assert.Equal(0, await s.ListLenAsync("list", None));
        Assert.Equal("v", await s.FetchAsync("kept", None));
        (s as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task The_embedded_store_evicts_the_least_recently_used_key_at_local_max_entries()
    {
        var s = new EmbeddedStore("t", 3);
        await s.StoreAsync("a", "1", null, None);
        await s.StoreAsync("b", "2", null, None);
        await s.ListPushAsync("c", "3", None);
        Assert.Equal("1", await s.FetchAsync("a", None)); // a is now the most recently used; b the least
        await s.StoreAsync("d", "4", null, None);
        Assert.Equal(3, s.Count);
        Assert.Null(await s.FetchAsync("b", None));
        Assert.Equal("1", await s.FetchAsync("a", None));
        Assert.Equal(1, await s.ListLenAsync("c", None));
        await s.StoreAsync("e", "5", null, None); // d was used least recently now (a, c read since)
        Assert.Null(await s.FetchAsync("d", None));
        Assert.Equal(3, s.Count);
    }

    [Fact]
    public async Task The_embedded_store_expires_on_its_clock()
    {
        long now = 1_000;
        var s = new EmbeddedStore("t", 10, () => now);
        await s.StoreAsync("k", "v", TimeSpan.FromSeconds(5), None);
        now += 4_999;
        Assert.Equal("v", await s.FetchAsync("k", None));
        Assert.True(await s.ExpireAsync("k", TimeSpan.FromSeconds(1), None));
        now += 999;
        Assert.True(await s.ExistsAsync("k", None));
        now += 1;
        Assert.False(await s.ExistsAsync("k", None));
        Assert.Equal(0, s.Count); // the expired entry was dropped, not just hidden
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task List_pop_all_is_atomic_under_concurrent_pushes(string backend)
    {
        var s = await Make(backend);
        const int pushers = 4, each = 500;
        var popped = new List<string>();
        var done = 0;
        var push = Enumerable.Range(0, pushers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++) await s.ListPushAsync("q", $"{p}:{i}", None);
            Interlocked.Increment(ref done);
        })).ToArray();
        var pop = Task.Run(async () =>
        {
            while (Volatile.Read(ref done) < pushers) popped.AddRange(await s.ListPopAllAsync("q", None));
            popped.AddRange(await s.ListPopAllAsync("q", None));
        });
        await Task.WhenAll([.. push, pop]);
        // Nothing lost, nothing twice, and each pusher's items in its push order.
        Assert.Equal(pushers * each, popped.Count);
        Assert.Equal(pushers * each, popped.Distinct().Count());
        for (var p = 0; p < pushers; p++)
            Assert.Equal(Enumerable.Range(0, each).Select(i => $"{p}:{i}"), popped.Where(x => x.StartsWith($"{p}:")));
        (s as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task Store_with_a_ttl_is_one_set_ex()
    {
        var s = await Make("redis");
        await s.StoreAsync("k", "v", TimeSpan.FromSeconds(100), None);
        var ttl = int.Parse((await redis.Server.CommandAsync("TTL", "k")).TrimStart(':'));
        Assert.InRange(ttl, 90, 100);
        ((IDisposable)s).Dispose();
    }

    [Fact]
    public async Task The_local_lru_serves_fetch_and_follows_this_process_writes_but_not_another_s()
    {
        long now = 1_000;
        var mine = await Make("redis", localTtl: 6, clockMs: () => now);
        RedisEndpoint.TryParse(redis.Server.Url, out var endpoint, out _);
        using var other = new RedisStore(new CacheConfig { Name = "t", Redis = endpoint }); // another process
        await mine.StoreAsync("k", "v1", null, None);
        Assert.Equal("v1", await mine.FetchAsync("k", None));
        await other.StoreAsync("k", "v2", null, None);
        Assert.Equal("v1", await mine.FetchAsync("k", None)); // served locally: up to local_ttl_secs old
        await mine.StoreAsync("k", "v3", null, None);
        Assert.Equal("v3", await mine.FetchAsync("k", None)); // this process's write updated it
        await other.StoreAsync("k", "v4", null, None);
        now += 5_999;
        Assert.Equal("v3", await mine.FetchAsync("k", None)); // still within local_ttl_secs of this process's write
        now += 1;
        Assert.Equal("v4", await mine.FetchAsync("k", None)); // aged out: read from Redis again
        await mine.DeleteAsync("k", None);
        Assert.Null(await mine.FetchAsync("k", None)); // this process's delete dropped it
        ((IDisposable)mine).Dispose();
    }

    [Fact]
    public async Task Redis_down_raises_CacheError_within_timeout_ms_and_recovers_when_it_is_back()
    {
        await using var own = await RedisServer.StartAsync();
        RedisEndpoint.TryParse(own.Url, out var endpoint, out _);
        using var s = new RedisStore(new CacheConfig { Name = "t", Redis = endpoint, TimeoutMs = 300 });
        // The first connect may take longer than 300 ms on a loaded machine: the outage is what is tested.
        await Eventually(() => s.StoreAsync("k", "v", null, None));

        await own.StopAsync();
        var messages = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<CacheException>(() => s.FetchAsync("k", None));
            Assert.True(sw.ElapsedMilliseconds < 300 + 1700, $"took {sw.ElapsedMilliseconds} ms"); // margin for a loaded 2-core machine
            Assert.Contains("cache 't'", e.Message);
            Assert.Contains($"127.0.0.1:{own.Port}", e.Message);
            messages.Add(e.Message);
        }
        // The first may say how the connection was lost ("connection closed by Redis"); once probed,
        // a stopped Redis is what it is: nothing listens on its port.
        Assert.Contains("connection refused", messages[^1]);
        Assert.DoesNotContain("timed out", messages[^1]);

        await own.StartAgainAsync(); // an empty Redis (no persistence) on the same port
        await Eventually(async () => Assert.Null(await s.FetchAsync("k", None)));
        await s.StoreAsync("k", "back", null, None);
        Assert.Equal("back", await s.FetchAsync("k", None));
    }

    /// <summary>Retries <paramref name="call"/> while it raises CacheError, for up to 20 s.</summary>
    private static async Task Eventually(Func<Task> call)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (CacheException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task A_closed_port_fails_each_call_in_time_as_connection_refused()
    {
        var port = RedisServer.FreePort();
        RedisEndpoint.TryParse($"redis://127.0.0.1:{port}", out var endpoint, out _);
        using var s = new RedisStore(new CacheConfig { Name = "nowhere", Redis = endpoint, TimeoutMs = 200 });
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<CacheException>(() => s.ListPushAsync("k", "v", None));
            Assert.True(sw.ElapsedMilliseconds < 200 + 1800, $"took {sw.ElapsedMilliseconds} ms");
            Assert.Equal($"cache 'nowhere': list_push 'k': Redis at redis://127.0.0.1:{port}/0: connection refused (not connected; gave up after 200 ms)", e.Message);
        }
    }

    [Fact]
    public async Task A_listener_that_accepts_and_never_answers_fails_as_timed_out()
    {
        // The kernel completes the handshake for the backlog; nothing ever reads or writes.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        RedisEndpoint.TryParse($"redis://127.0.0.1:{port}", out var endpoint, out _);
        using var s = new RedisStore(new CacheConfig { Name = "silent", Redis = endpoint, TimeoutMs = 200 });
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<CacheException>(() => s.FetchAsync("k", None));
            Assert.True(sw.ElapsedMilliseconds < 200 + 1800, $"took {sw.ElapsedMilliseconds} ms");
            Assert.StartsWith($"cache 'silent': fetch 'k': Redis at redis://127.0.0.1:{port}/0: ", e.Message);
            Assert.Contains("timed out", e.Message);
            Assert.DoesNotContain("refused", e.Message);
        }
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("a*b?c[d]e\\f", "a\\*b\\?c\\[d\\]e\\\\f")]
    public void Glob_characters_are_escaped(string text, string escaped) => Assert.Equal(escaped, RedisStore.EscapeGlob(text));
}
