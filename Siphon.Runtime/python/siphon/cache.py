"""The ``cache`` namespace: the named caches of http.yaml's ``cache:`` list, shared by every worker
that can reach them (the embedded store by the workers of one process, Redis by every process).
The functions are the bound methods of the one ``CacheNamespace`` instance, so a call goes straight
to the host. Methods are coroutines except ``has_cache``."""
from siphon._native import CacheNamespace, cache as _cache

__all__ = ["CacheNamespace", "CacheError", "fetch", "store", "delete", "exists", "expire", "list_push",
           "list_pop_all", "list_len", "list_len_sum", "has_cache"]


class CacheError(Exception):
    """A cache call failed: Redis unreachable or slower than the cache's ``timeout_ms``, or a list
    operation on a key holding a string (or the reverse)."""


fetch = _cache.fetch
store = _cache.store
delete = _cache.delete
exists = _cache.exists
expire = _cache.expire
list_push = _cache.list_push
list_pop_all = _cache.list_pop_all
list_len = _cache.list_len
list_len_sum = _cache.list_len_sum
has_cache = _cache.has_cache
