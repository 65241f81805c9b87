// Times every call of one named cache (siphon.cache.duration: cache, backend, op, outcome) around
// the real store. CacheNamespace wraps its stores in this only while metrics are collected, so a
// server without an admin listener pays nothing. Outcomes: ok, hit/miss (fetch), error.
using System.Diagnostics;
using Siphon.Runtime.Cache;

namespace Siphon.Runtime.Telemetry;

internal sealed class MeteredCacheStore(CacheStore inner) : CacheStore(inner.Name), IDisposable
{
    private readonly string _backend = inner is RedisStore ? "redis" : "embedded";

    public CacheStore Inner => inner;

    public override Task<string?> FetchAsync(string key, CancellationToken cancel) =>
        Measure("fetch", Stopwatch.GetTimestamp(), inner.FetchAsync(key, cancel), v => v is null ? "miss" : "hit");

    public override Task StoreAsync(string key, string value, TimeSpan? ttl, CancellationToken cancel) =>
        Measure("store", Stopwatch.GetTimestamp(), inner.StoreAsync(key, value, ttl, cancel));

    public override Task DeleteAsync(string key, CancellationToken cancel) => Measure("delete", Stopwatch.GetTimestamp(), inner.DeleteAsync(key, cancel));

    public override Task<bool> ExistsAsync(string key, CancellationToken cancel) => Measure("exists", Stopwatch.GetTimestamp(), inner.ExistsAsync(key, cancel), null);

    public override Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken cancel) =>
        Measure("expire", Stopwatch.GetTimestamp(), inner.ExpireAsync(key, ttl, cancel), null);

    public override Task<long> ListPushAsync(string key, string item, CancellationToken cancel) =>
        Measure("list_push", Stopwatch.GetTimestamp(), inner.ListPushAsync(key, item, cancel), null);

    public override Task<IReadOnlyList<string>> ListPopAllAsync(string key, CancellationToken cancel) =>
        Measure("list_pop_all", Stopwatch.GetTimestamp(), inner.ListPopAllAsync(key, cancel), null);

    public override Task<long> ListLenAsync(string key, CancellationToken cancel) => Measure("list_len", Stopwatch.GetTimestamp(), inner.ListLenAsync(key, cancel), null);

    public override Task<long> ListLenSumAsync(string prefix, CancellationToken cancel) =>
        Measure("list_len_sum", Stopwatch.GetTimestamp(), inner.ListLenSumAsync(prefix, cancel), null);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    // The timestamp is taken before the inner call (arguments are evaluated left to right).
    private Task<T> Measure<T>(string op, long started, Task<T> task, Func<T, string>? outcome)
    {
        if (task.IsCompleted)
        {
            Record(op, task.IsCompletedSuccessfully ? outcome?.Invoke(task.Result) ?? "ok" : "error", started);
            return task;
        }
        return Slow(op, task, outcome, started);
    }

    private async Task<T> Slow<T>(string op, Task<T> task, Func<T, string>? outcome, long started)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
            Record(op, outcome?.Invoke(result) ?? "ok", started);
            return result;
        }
        catch
        {
            Record(op, "error", started);
            throw;
        }
    }

    private async Task Measure(string op, long started, Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
            Record(op, "ok", started);
        }
        catch
        {
            Record(op, "error", started);
            throw;
        }
    }

    private void Record(string op, string outcome, long started) =>
        SiphonMetrics.CacheDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("cache", Name), new KeyValuePair<string, object?>("backend", _backend),
            new KeyValuePair<string, object?>("op", op), new KeyValuePair<string, object?>("outcome", outcome));
}
