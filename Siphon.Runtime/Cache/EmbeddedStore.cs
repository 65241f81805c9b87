// The embedded store: a cache entry without `url`. One per cache name per process, shared by every
// worker of `worker_mode: interpreters` (they share the process's C# side) and kept across live
// reloads. Strings and lists share one keyspace; each key has its own optional expiry; the store
// holds at most local_max_entries keys and evicts the least recently used beyond that.
//
// Why not a library cache (BitFaster.Caching, Microsoft.Extensions.Caching.Memory): the contract's
// compound operations must be atomic against each other and against eviction — list_push returns
// the new length, list_pop_all takes and clears, expire changes the TTL of a live entry, a push
// must never land in a list another thread has just popped or evicted. With a per-entry cache API
// that takes a second lock per entry plus retry loops. One lock over a dictionary and an intrusive
// LRU list is exact LRU, short, and held for well under a microsecond per call (workers are few).
// BitFaster.Caching does serve the Redis backend's local LRU, whose job is a plain get/set.
// Errors are returned as faulted tasks, never thrown: Python sees them at `await`, as from Redis.
namespace Siphon.Runtime.Cache;

public sealed class EmbeddedStore(string name, int maxEntries, Func<long>? clockMs = null) : CacheStore(name)
{
    private sealed class Entry(string key)
    {
        public readonly string Key = key;
        public string? Value;
        public List<string>? List;
        public long ExpiresAtMs; // 0: never
        public Entry? Prev, Next;
    }

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Func<long> _clock = clockMs ?? (() => Environment.TickCount64);
    private Entry? _head, _tail; // head: most recently used

    public int MaxEntries { get; } = maxEntries > 0 ? maxEntries : throw new ArgumentOutOfRangeException(nameof(maxEntries));

    /// <summary>Live keys (expired ones not yet swept may be counted).</summary>
    public int Count { get { lock (_lock) return _entries.Count; } }

    public override Task<string?> FetchAsync(string key, CancellationToken cancel)
    {
        lock (_lock)
        {
            var e = Live(key);
            if (e is null) return Task.FromResult<string?>(null);
            if (e.List is not null) return Task.FromException<string?>(WrongType(key, "string"));
            return Task.FromResult(e.Value);
        }
    }

    public override Task StoreAsync(string key, string value, TimeSpan? ttl, CancellationToken cancel)
    {
        lock (_lock)
        {
            var e = Live(key) ?? Add(key);
            e.List = null;
            e.Value = value;
            e.ExpiresAtMs = ttl is { } t ? _clock() + (long)t.TotalMilliseconds : 0;
        }
        return Task.CompletedTask;
    }

    public override Task DeleteAsync(string key, CancellationToken cancel)
    {
        lock (_lock)
            if (_entries.TryGetValue(key, out var e)) Remove(e);
        return Task.CompletedTask;
    }

    public override Task<bool> ExistsAsync(string key, CancellationToken cancel)
    {
        lock (_lock) return Task.FromResult(Live(key) is not null);
    }

    public override Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken cancel)
    {
        lock (_lock)
        {
            var e = Live(key);
            if (e is null) return Task.FromResult(false);
            e.ExpiresAtMs = _clock() + (long)ttl.TotalMilliseconds;
            return Task.FromResult(true);
        }
    }

    public override Task<long> ListPushAsync(string key, string item, CancellationToken cancel)
    {
        lock (_lock)
        {
            var e = Live(key) ?? Add(key);
            if (e.Value is not null) return Task.FromException<long>(WrongType(key, "list"));
            (e.List ??= []).Add(item);
            return Task.FromResult((long)e.List.Count);
        }
    }

    public override Task<IReadOnlyList<string>> ListPopAllAsync(string key, CancellationToken cancel)
    {
        lock (_lock)
        {
            var e = Live(key);
            if (e is null) return Task.FromResult<IReadOnlyList<string>>([]);
            if (e.Value is not null) return Task.FromException<IReadOnlyList<string>>(WrongType(key, "list"));
            Remove(e);
            return Task.FromResult<IReadOnlyList<string>>(e.List!);
        }
    }

    public override Task<long> ListLenAsync(string key, CancellationToken cancel)
    {
        lock (_lock)
        {
            var e = Live(key);
            if (e is null) return Task.FromResult(0L);
            if (e.Value is not null) return Task.FromException<long>(WrongType(key, "list"));
            return Task.FromResult((long)e.List!.Count);
        }
    }

    public override Task<long> ListLenSumAsync(string prefix, CancellationToken cancel)
    {
        // A full scan under the lock: O(entries), like Redis's SCAN; no LRU touch, as a scan is not a use.
        long sum = 0;
        lock (_lock)
        {
            var now = _clock();
            foreach (var e in _entries.Values)
                if (e.List is not null && !Expired(e, now) && e.Key.StartsWith(prefix, StringComparison.Ordinal))
                    sum += e.List.Count;
        }
        return Task.FromResult(sum);
    }

    // ---- under _lock ----

    private static bool Expired(Entry e, long now) => e.ExpiresAtMs != 0 && now >= e.ExpiresAtMs;

    /// <summary>The live entry for key, made most recently used; an expired one is dropped.</summary>
    private Entry? Live(string key)
    {
        if (!_entries.TryGetValue(key, out var e)) return null;
        if (Expired(e, _clock()))
        {
            Remove(e);
            return null;
        }
        if (_head != e)
        {
            Unlink(e);
            LinkFirst(e);
        }
        return e;
    }

    private Entry Add(string key)
    {
        var e = new Entry(key);
        _entries.Add(key, e);
        LinkFirst(e);
        while (_entries.Count > MaxEntries) Remove(_tail!);
        return e;
    }

    private void Remove(Entry e)
    {
        _entries.Remove(e.Key);
        Unlink(e);
    }

    private void LinkFirst(Entry e)
    {
        e.Prev = null;
        e.Next = _head;
        if (_head is not null) _head.Prev = e;
        _head = e;
        _tail ??= e;
    }

    private void Unlink(Entry e)
    {
        if (e.Prev is not null) e.Prev.Next = e.Next; else if (_head == e) _head = e.Next;
        if (e.Next is not null) e.Next.Prev = e.Prev; else if (_tail == e) _tail = e.Prev;
        e.Prev = e.Next = null;
    }
}
