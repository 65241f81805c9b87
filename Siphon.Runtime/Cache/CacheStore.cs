// What every cache backend implements: the operations of siphon.cache for one named cache, with
// the arguments already checked (reserved keys, TTLs) by CacheNamespace. The embedded store answers
// synchronously (completed tasks, so the awaitable resolves without a hop through the worker's
// inbox); Redis answers asynchronously. Failures are CacheExceptions.
namespace Siphon.Runtime.Cache;

public abstract class CacheStore(string name)
{
    /// <summary>The cache's name in http.yaml.</summary>
    public string Name { get; } = name;

    public abstract Task<string?> FetchAsync(string key, CancellationToken cancel);

    /// <summary>Sets a string value; a null TTL means no expiry (and clears an earlier one).</summary>
    public abstract Task StoreAsync(string key, string value, TimeSpan? ttl, CancellationToken cancel);

    public abstract Task DeleteAsync(string key, CancellationToken cancel);

    public abstract Task<bool> ExistsAsync(string key, CancellationToken cancel);

    /// <summary>Sets the TTL of an existing key; false when there is none.</summary>
    public abstract Task<bool> ExpireAsync(string key, TimeSpan ttl, CancellationToken cancel);

    /// <summary>Appends to the list at key (created when absent); the list's new length.</summary>
    public abstract Task<long> ListPushAsync(string key, string item, CancellationToken cancel);

    /// <summary>The list's items in push order, removing the list in the same atomic step.</summary>
    public abstract Task<IReadOnlyList<string>> ListPopAllAsync(string key, CancellationToken cancel);

    public abstract Task<long> ListLenAsync(string key, CancellationToken cancel);

    /// <summary>The summed lengths of the lists whose keys start with prefix (string values count 0).</summary>
    public abstract Task<long> ListLenSumAsync(string prefix, CancellationToken cancel);

    protected CacheException WrongType(string key, string want) => want == "list"
        ? new($"cache '{Name}': key '{key}' holds a string, not a list")
        : new($"cache '{Name}': key '{key}' holds a list, not a string");
}
