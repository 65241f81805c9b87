// A cache entry with `url: redis://...`: the store is Redis, reached through one StackExchange.Redis
// multiplexer per cache per process (it pipelines every worker's calls over one socket and
// reconnects by itself). Every call is bounded by the cache's timeout_ms: when Redis is down or
// slow the call raises CacheError in time and the server keeps serving; calls succeed again once
// the multiplexer has reconnected. Optionally a local LRU (local_ttl_secs) serves `fetch` hits
// without a round trip; this process's writes update or drop its entries, but another process's
// writes are seen only once the local entry ages out (up to local_ttl_secs).
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Config;
using StackExchange.Redis;

namespace Siphon.Runtime.Cache;

public sealed class RedisStore : CacheStore, IDisposable
{
    // LRANGE then DEL in one script: atomic, so a push racing the pop lands either in the items
    // returned or in a fresh list, never nowhere.
    private const string PopAllScript = "local v = redis.call('LRANGE', KEYS[1], 0, -1) redis.call('DEL', KEYS[1]) return v";

    // LLEN of every key: a key that holds no list counts 0 instead of failing the sum.
    private const string LenSumScript =
        "local n = 0 for _, k in ipairs(KEYS) do if redis.call('TYPE', k).ok == 'list' then n = n + redis.call('LLEN', k) end end return n";

    private readonly RedisEndpoint _endpoint;
    private readonly TimeSpan _timeout;
    private readonly Task<ConnectionMultiplexer> _connection;
    // The local LRU stamps each entry with the time it was filled and drops it once older than
    // local_ttl_secs, on an injectable clock (tests age entries without waiting).
    private readonly ConcurrentLru<string, LocalEntry>? _local;
    private readonly long _localTtlMs;
    private readonly Func<long> _clock;
    private readonly RedisFailure _failure;
    private long _writes; // bumped by every write of this process: a fetch started before one must not fill the local LRU

    private sealed record LocalEntry(string Value, long FilledAtMs);

    /// <param name="clockMs">Milliseconds on a monotonic clock, for the local LRU's ages (default: Environment.TickCount64).</param>
    public RedisStore(CacheConfig config, ILogger? log = null, Func<long>? clockMs = null) : base(config.Name)
    {
        _endpoint = config.Redis ?? throw new ArgumentException("not a Redis cache", nameof(config));
        _timeout = TimeSpan.FromMilliseconds(config.TimeoutMs);
        _clock = clockMs ?? (() => Environment.TickCount64);
        _failure = new RedisFailure(_endpoint, _timeout);
        if (config.LocalTtlSecs is { } ttl)
        {
            _local = new ConcurrentLru<string, LocalEntry>(Math.Max(3, config.LocalMaxEntries));
            _localTtlMs = ttl * 1000L;
        }
        var options = new ConfigurationOptions
        {
            EndPoints = { { _endpoint.Host, _endpoint.Port } },
            User = _endpoint.User,
            Password = _endpoint.Password,
            DefaultDatabase = _endpoint.Database,
            Ssl = _endpoint.Tls,
            ClientName = "siphon",
            // Start (and keep) retrying in the background instead of failing start-up or a call
            // for good: a Redis outage is a period of CacheErrors, not a broken server.
            AbortOnConnectFail = false,
            ConnectTimeout = config.TimeoutMs,
            SyncTimeout = config.TimeoutMs,
            AsyncTimeout = config.TimeoutMs,
            ReconnectRetryPolicy = new LinearRetry(500),
        };
        _connection = ConnectAsync(options, log);
    }

    public RedisEndpoint Endpoint => _endpoint;

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options, ILogger? log)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        if (!mux.IsConnected)
        {
            await _failure.ProbeAsync().ConfigureAwait(false);
            log?.LogWarning("cache '{Name}': Redis at {Endpoint} is not reachable yet ({Cause}); calls raise CacheError until it is",
                Name, _endpoint, _failure.Cause ?? "not connected");
        }
        mux.ConnectionFailed += (_, e) =>
        {
            _failure.Failed(e.FailureType, e.Exception);
            log?.LogWarning("cache '{Name}': lost Redis at {Endpoint}: {Cause}", Name, _endpoint, _failure.Cause);
        };
        mux.ConnectionRestored += (_, _) =>
        {
            _failure.Restored();
            log?.LogInformation("cache '{Name}': Redis at {Endpoint} is back", Name, _endpoint);
        };
        return mux;
    }

    public override async Task<string?> FetchAsync(string key, CancellationToken cancel)
    {
        if (_local is not null && _local.TryGet(key, out var hit))
        {
            if (_clock() - hit.FilledAtMs < _localTtlMs) return hit.Value;
            _local.TryRemove(key); // aged out: read Redis again
        }
        var writes = Volatile.Read(ref _writes);
        var value = await Run("fetch", key, db => db.StringGetAsync(key), cancel).ConfigureAwait(false);
        var text = (string?)value;
        if (_local is not null && text is not null && Volatile.Read(ref _writes) == writes) _local.AddOrUpdate(key, new(text, _clock()));
        return text;
    }

    public override async Task StoreAsync(string key, string value, TimeSpan? ttl, CancellationToken cancel)
    {
        Wrote(key);
        // One SET key value [EX ttl]: the value and its TTL land together.
        await Run("store", key, db => ttl is { } t
            ? db.ExecuteAsync("SET", key, value, "EX", (long)t.TotalSeconds)
            : db.ExecuteAsync("SET", key, value), cancel).ConfigureAwait(false);
        _local?.AddOrUpdate(key, new(value, _clock()));
    }

    public override Task DeleteAsync(string key, CancellationToken cancel)
    {
        Wrote(key);
        return Run("delete", key, db => db.KeyDeleteAsync(key), cancel);
    }

    public override Task<bool> ExistsAsync(string key, CancellationToken cancel) =>
        Run("exists", key, db => db.KeyExistsAsync(key), cancel);

    public override Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken cancel)
    {
        Wrote(key); // the local copy could otherwise outlive the new TTL
        return Run("expire", key, db => db.KeyExpireAsync(key, ttl), cancel);
    }

    public override Task<long> ListPushAsync(string key, string item, CancellationToken cancel)
    {
        Wrote(key);
        return Run("list_push", key, db => db.ListRightPushAsync(key, item), cancel);
    }

    public override async Task<IReadOnlyList<string>> ListPopAllAsync(string key, CancellationToken cancel)
    {
        Wrote(key);
        var result = await Run("list_pop_all", key, db => db.ScriptEvaluateAsync(PopAllScript, [key]), cancel).ConfigureAwait(false);
        return result.IsNull ? [] : Array.ConvertAll((RedisValue[])result!, v => (string)v!);
    }

    public override Task<long> ListLenAsync(string key, CancellationToken cancel) =>
        Run("list_len", key, db => db.ListLengthAsync(key), cancel);

    public override Task<long> ListLenSumAsync(string prefix, CancellationToken cancel) =>
        Run("list_len_sum", prefix + "*", async db =>
        {
            var mux = (ConnectionMultiplexer)db.Multiplexer;
            var server = mux.GetServer(mux.GetEndPoints()[0]);
            long sum = 0;
            var batch = new List<RedisKey>(256);
            // SCAN with the prefix's glob characters escaped, so "a*" counts keys starting "a*", not "a".
            var keys = server.KeysAsync(_endpoint.Database, EscapeGlob(prefix) + "*", pageSize: 256);
            await foreach (var k in keys.WithCancellation(cancel).ConfigureAwait(false))
            {
                batch.Add(k);
                if (batch.Count == 256) { sum += await SumLengths(db, batch).ConfigureAwait(false); batch.Clear(); }
            }
            if (batch.Count > 0) sum += await SumLengths(db, batch).ConfigureAwait(false);
            return sum;
        }, cancel);

    private static async Task<long> SumLengths(IDatabase db, List<RedisKey> keys) =>
        (long)await db.ScriptEvaluateAsync(LenSumScript, [.. keys]).ConfigureAwait(false);

    /// <summary>Escapes Redis glob metacharacters (<c>* ? [ ] \</c>) so the text matches literally.</summary>
    public static string EscapeGlob(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    private void Wrote(string key)
    {
        if (_local is null) return;
        Interlocked.Increment(ref _writes);
        _local.TryRemove(key);
    }

    private async Task<T> Run<T>(string op, string key, Func<IDatabase, Task<T>> call, CancellationToken cancel)
    {
        try
        {
            // The overall bound covers the connect, a backlogged command and a slow answer alike.
            return await RunCore(call).WaitAsync(_timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new CacheException($"cache '{Name}': {op} '{key}': Redis at {_endpoint}: {await WhyNoAnswerAsync().ConfigureAwait(false)}", e);
        }
        catch (RedisServerException e)
        {
            throw new CacheException($"cache '{Name}': {op} '{key}': Redis answered: {e.Message}", e);
        }
        catch (RedisException e)
        {
            throw new CacheException($"cache '{Name}': {op} '{key}': Redis at {_endpoint} unavailable: {e.Message}", e);
        }
    }

    /// <summary>Why a call got no answer in time: what the connection last ran into (refused, reset,
    /// timed out) when there is none, else a slow Redis.</summary>
    private async Task<string> WhyNoAnswerAsync()
    {
        var ms = (int)_timeout.TotalMilliseconds;
        if (_connection.IsCompletedSuccessfully && _connection.Result.IsConnected) return $"timed out (no answer within {ms} ms)";
        // Refresh the cause (a lost connection may now be refused); wait for it only when none is
        // known yet: a refused or accepted connect answers at once, a silent host within timeout_ms.
        var probe = _failure.ProbeAsync();
        if (_failure.Cause is null) await probe.ConfigureAwait(false);
        var cause = _failure.Cause;
        return cause is null ? $"not connected within {ms} ms (timed out)" : $"{cause} (not connected; gave up after {ms} ms)";
    }

    private async Task<T> RunCore<T>(Func<IDatabase, Task<T>> call)
    {
        var mux = await _connection.ConfigureAwait(false);
        return await call(mux.GetDatabase()).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_connection.IsCompletedSuccessfully) _connection.Result.Dispose();
    }
}
