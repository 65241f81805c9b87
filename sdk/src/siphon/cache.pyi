"""The ``cache`` namespace: the named caches of http.yaml's ``cache:`` list, shared by every worker
that can reach them. The functions are the bound methods of the one ``CacheNamespace`` instance.
Methods are coroutines except ``has_cache``."""

class CacheNamespace:
    """The named caches of http.yaml's cache list. Methods are coroutines; an unknown cache name gives None, False or [] as documented per method."""
    async def fetch(self, name: str, key: str) -> str | None:
        """The value stored at key, or None when it is missing or expired, or the cache is unknown."""
    async def store(self, name: str, key: str, value: str, ttl: int | None = None) -> bool:
        """Stores value at key, with an expiry of ttl seconds when given (without, any earlier expiry is cleared). True, or False for an unknown cache."""
    async def delete(self, name: str, key: str) -> bool:
        """Removes key (a string or a list). True when the cache exists."""
    async def exists(self, name: str, key: str) -> bool:
        """Whether key holds a live value or list; False for an unknown cache."""
    async def expire(self, name: str, key: str, ttl: int) -> bool:
        """Sets key to expire in ttl seconds. True when the key exists."""
    async def list_push(self, name: str, key: str, item: str) -> int | None:
        """Appends item to the list at key and returns the list's new length (atomic: use it to count); None for an unknown cache."""
    async def list_pop_all(self, name: str, key: str) -> list[str]:
        """The list's items in push order, clearing it in the same atomic step; [] when absent or the cache is unknown."""
    async def list_len(self, name: str, key: str) -> int | None:
        """The list's length (0 when absent); None for an unknown cache."""
    async def list_len_sum(self, name: str, prefix: str) -> int | None:
        """The summed lengths of the lists whose keys start with prefix (which must not be empty); None for an unknown cache."""
    def has_cache(self, name: str) -> bool:
        """Whether http.yaml configures a cache of that name."""

class CacheError(Exception):
    """A cache call failed: Redis unreachable or slower than the cache's ``timeout_ms``, or a list
    operation on a key holding a string (or the reverse)."""

_cache: CacheNamespace

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
