// siphon.cache: the script-facing side of the named caches of http.yaml's `cache:` list. As in
// siphon, one instance of a bound class; siphon/cache.py exposes its methods as the module's
// functions. Every call names a cache; an unknown name answers the contract's "unknown cache"
// value (None, False, [] ...) rather than raising, as siphon's does. Keys and prefixes starting
// with "siphon:" are reserved (ValueError). The stores live in a process-wide table set once at
// start-up, so every worker of the process (and every reloaded script version) shares them.
using Microsoft.Extensions.Logging;
using Siphon.Bindings;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Cache;

/// <summary>The named caches of http.yaml's cache list. Methods are coroutines; an unknown cache
/// name gives None, False or [] as documented per method.</summary>
[PyClass("CacheNamespace", Module = "siphon.cache")]
public sealed partial class CacheNamespace
{
    public const string ReservedPrefix = "siphon:";

    private static Dictionary<string, CacheStore> s_stores = new(StringComparer.Ordinal);
    private static Dictionary<string, CacheConfig> s_configs = new(StringComparer.Ordinal);
    private static bool s_metered; // set at start-up: a reload's new stores are timed as the first ones were

    /// <summary>The one instance: siphon.cache's functions are its bound methods.</summary>
    public static CacheNamespace Instance { get; } = new();

    private CacheNamespace() { }

    /// <summary>Creates the stores of http.yaml's cache list (Redis connections start in the background).
    /// Called once at start-up, before the script loads.</summary>
    /// <param name="metered">time every call (siphon.cache.duration); on when the admin listener is.</param>
    public static void Configure(IReadOnlyList<CacheConfig> caches, ILogger? log = null, bool metered = false)
    {
        s_metered = metered;
        var stores = new Dictionary<string, CacheStore>(StringComparer.Ordinal);
        foreach (var c in caches)
        {
            CacheStore store = c.Redis is null ? new EmbeddedStore(c.Name, c.LocalMaxEntries) : new RedisStore(c, log);
            stores[c.Name] = metered ? new Telemetry.MeteredCacheStore(store) : store;
        }
        var old = Interlocked.Exchange(ref s_stores, stores);
        s_configs = caches.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var s in old.Values) (s as IDisposable)?.Dispose();
    }

    /// <summary>A live reload's caches: a cache whose settings did not change keeps its store (an
    /// embedded store keeps its contents), a changed or new one gets a new store. Undo puts the previous
    /// table back; Release disposes the stores no longer used (once the old version has drained).</summary>
    public static Config.ConfigSwap Reconfigure(IReadOnlyList<CacheConfig> caches, ILogger? log = null)
    {
        var old = Volatile.Read(ref s_stores);
        var configs = s_configs;
        var stores = new Dictionary<string, CacheStore>(StringComparer.Ordinal);
        var created = new List<CacheStore>();
        foreach (var c in caches)
        {
            if (old.TryGetValue(c.Name, out var kept) && configs.TryGetValue(c.Name, out var was) && was == c) stores[c.Name] = kept;
            else
            {
                var store = c.Redis is null ? new EmbeddedStore(c.Name, c.LocalMaxEntries) : (CacheStore)new RedisStore(c, log);
                if (s_metered) store = new Telemetry.MeteredCacheStore(store);
                created.Add(store);
                stores[c.Name] = store;
            }
        }
        var newConfigs = caches.ToDictionary(c => c.Name, StringComparer.Ordinal);
        Volatile.Write(ref s_stores, stores);
        s_configs = newConfigs;
        var replaced = old.Values.Where(s => !stores.Values.Contains(s)).ToList();
        return new Config.ConfigSwap(
            undo: () =>
            {
                Volatile.Write(ref s_stores, old);
                s_configs = configs;
                foreach (var s in created) (s as IDisposable)?.Dispose();
            },
            release: () => { foreach (var s in replaced) (s as IDisposable)?.Dispose(); });
    }

    /// <summary>The configured store of that name, or null.</summary>
    public static CacheStore? Find(string name) => Volatile.Read(ref s_stores).GetValueOrDefault(name);

    /// <summary>The value stored at key, or None when it is missing or expired, or the cache is unknown.</summary>
    [PyMethod]
    public Task<string?> Fetch(string name, string key, CancellationToken cancel = default)
    {
        if (BadKey(key) is { } bad) return Task.FromException<string?>(bad);
        return Find(name) is { } s ? s.FetchAsync(key, cancel) : Task.FromResult<string?>(null);
    }

    /// <summary>Stores value at key, with an expiry of ttl seconds when given (without, any earlier expiry
    /// is cleared). True, or False for an unknown cache.</summary>
    [PyMethod]
    public Task<bool> Store(string name, string key, string value, long? ttl = null, CancellationToken cancel = default)
    {
        if ((BadKey(key) ?? (ttl is { } t ? BadTtl(t) : null)) is { } bad) return Task.FromException<bool>(bad);
        var span = ttl is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return Find(name) is { } s ? True(s.StoreAsync(key, value, span, cancel)) : Task.FromResult(false);
    }

    /// <summary>Removes key (a string or a list). True when the cache exists.</summary>
    [PyMethod]
    public Task<bool> Delete(string name, string key, CancellationToken cancel = default)
    {
        if (BadKey(key) is { } bad) return Task.FromException<bool>(bad);
        return Find(name) is { } s ? True(s.DeleteAsync(key, cancel)) : Task.FromResult(false);
    }

    /// <summary>Whether key holds a live value or list; False for an unknown cache.</summary>
    [PyMethod]
    public Task<bool> Exists(string name, string key, CancellationToken cancel = default)
    {
        if (BadKey(key) is { } bad) return Task.FromException<bool>(bad);
        return Find(name) is { } s ? s.ExistsAsync(key, cancel) : Task.FromResult(false);
    }

    /// <summary>Sets key to expire in ttl seconds. True when the key exists.</summary>
    [PyMethod]
    public Task<bool> Expire(string name, string key, long ttl, CancellationToken cancel = default)
    {
        if ((BadKey(key) ?? BadTtl(ttl)) is { } bad) return Task.FromException<bool>(bad);
        return Find(name) is { } s ? s.ExpireAsync(key, TimeSpan.FromSeconds(ttl), cancel) : Task.FromResult(false);
    }

    /// <summary>Appends item to the list at key and returns the list's new length (atomic: use it to
    /// count); None for an unknown cache.</summary>
    [PyMethod]
    public Task<long?> ListPush(string name, string key, string item, CancellationToken cancel = default)
    {
        if (BadKey(key) is { } bad) return Task.FromException<long?>(bad);
        return Find(name) is { } s ? Nullable(s.ListPushAsync(key, item, cancel)) : Task.FromResult<long?>(null);
    }

    /// <summary>The list's items in push order, clearing it in the same atomic step; [] when absent
    /// or the cache is unknown.</summary>
    [PyMethod]
    public Task<IReadOnlyList<string>> ListPopAll(string name, string key, CancellationToken cancel = default)
    {
        if (BadKey(key) is { } bad) return Task.FromException<IReadOnlyList<string>>(bad);
        return Find(name) is { } s ? s.ListPopAllAsync(key, cancel) : Task.FromResult<IReadOnlyList<string>>([]);
    }

    /// <summary>The list's length (0 when absent); None for an unknown cache.</summary>
    [PyMethod]
    public Task<long?> ListLen(string name, string key, CancellationToken cancel = default)
    {
        if (BadKey(key) is { } bad) return Task.FromException<long?>(bad);
        return Find(name) is { } s ? Nullable(s.ListLenAsync(key, cancel)) : Task.FromResult<long?>(null);
    }

    /// <summary>The summed lengths of the lists whose keys start with prefix (which must not be empty);
    /// None for an unknown cache.</summary>
    [PyMethod]
    public Task<long?> ListLenSum(string name, string prefix, CancellationToken cancel = default)
    {
        if (prefix.Length == 0)
            return Task.FromException<long?>(
                new ArgumentException("list_len_sum: the prefix must not be empty (it would sum every list in the cache)"));
        if (BadKey(prefix) is { } bad) return Task.FromException<long?>(bad);
        return Find(name) is { } s ? Nullable(s.ListLenSumAsync(prefix, cancel)) : Task.FromResult<long?>(null);
    }

    /// <summary>Whether http.yaml configures a cache of that name.</summary>
    [PyMethod]
    public bool HasCache(string name) => Find(name) is not null;

    // Arguments are checked before the cache is looked up, so a bad call fails the same way whether or
    // not the name is configured; the error is the awaitable's (a ValueError at `await`, as from a
    // coroutine, and as in the SDK's mock), not the call's.
    private static ArgumentException? BadKey(string key) =>
        key.StartsWith(ReservedPrefix, StringComparison.Ordinal)
            ? new ArgumentException($"cache key '{key}' is reserved: keys starting with '{ReservedPrefix}' belong to Siphon")
            : null;

    private static ArgumentException? BadTtl(long seconds) =>
        seconds is > 0 and <= int.MaxValue ? null : new ArgumentException($"ttl must be a positive number of seconds, got {seconds}");

    private static Task<bool> True(Task task) =>
        task.IsCompletedSuccessfully ? Task.FromResult(true) : Then(task);

    private static async Task<bool> Then(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    private static Task<long?> Nullable(Task<long> task) =>
        task.IsCompletedSuccessfully ? Task.FromResult<long?>(task.Result) : NullableSlow(task);

    private static async Task<long?> NullableSlow(Task<long> task) => await task.ConfigureAwait(false);
}
