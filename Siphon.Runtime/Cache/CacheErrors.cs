// A cache call that could not be carried out (Redis unreachable or too slow, a list operation on a
// string key, ...) surfaces in Python as siphon.cache.CacheError, defined in siphon/cache.py. The
// message names the cache and the key so a log line says which call failed.
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Cache;

public sealed class CacheException(string message, Exception? inner = null) : Exception(message, inner), IPyRaisable
{
    public string PyModule => "siphon.cache";
    public string PyTypeName => "CacheError";
}
