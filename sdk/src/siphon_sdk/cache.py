"""The mock ``siphon.cache`` namespace: the runtime's methods over in-memory dicts.

As in the runtime, ``cache`` is one object whose methods are coroutines (except
``has_cache``), and the module's functions are its bound methods. A cache
exists once a test creates it: ``harness.cache.set_data("sessions", {"k": "v"})``
(or ``set_data(name, {})`` for an empty one); until then every call answers as
for an unknown cache (``fetch`` → None, ``store`` → False, ...). TTLs expire on
the wall clock, like the embedded store; ``expire`` calls are recorded on
``harness.cache.expirations`` as ``(name, key, ttl)``. A new harness,
``harness.reset()`` and ``mock_module.reset()`` empty everything (then a
harness made with ``config=`` creates the caches of its ``cache`` list again).
"""

from __future__ import annotations

import time

from siphon_sdk import _state

__all__ = ["CacheError", "MockCacheNamespace", "CacheNamespace", "cache", "fetch", "store", "delete",
           "exists", "expire", "list_push", "list_pop_all", "list_len", "list_len_sum", "has_cache"]

RESERVED_PREFIX = "siphon:"


class CacheError(Exception):
    """A cache call failed: Redis unreachable or slower than the cache's ``timeout_ms``, or a list
    operation on a key holding a string (or the reverse)."""


def _key(key: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"cache key must be a str, got {type(key).__name__}")
    if key.startswith(RESERVED_PREFIX):
        raise ValueError(f"cache key '{key}' is reserved: keys starting with '{RESERVED_PREFIX}' belong to Siphon")
    return key


def _ttl(ttl) -> float:
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl <= 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
    return float(ttl)


def _items(name: str, key: str, entry: list) -> list[str]:
    """The list an entry holds; a CacheError when it holds a string (as Redis's WRONGTYPE)."""
    if not isinstance(entry[0], list):
        raise CacheError(f"cache '{name}': key '{key}' holds a string, not a list")
    return entry[0]


class MockCacheNamespace:
    """The named caches of http.yaml's cache list, in memory. Methods are coroutines; an unknown
    cache name gives None, False or [] as the runtime does."""

    def __init__(self) -> None:
        # name -> key -> [value (str or list[str]), expires_at (monotonic seconds) or None]
        self._caches: dict[str, dict[str, list]] = {}

    def _live(self, name: str, key: str):
        entry = self._caches[name].get(key)
        if entry is not None and entry[1] is not None and time.monotonic() >= entry[1]:
            del self._caches[name][key]
            return None
        return entry

    async def fetch(self, name: str, key: str) -> str | None:
        """The value stored at key, or None when it is missing or expired, or the cache is unknown."""
        key = _key(key)
        if name not in self._caches:
            return None
        entry = self._live(name, key)
        if entry is None:
            return None
        if isinstance(entry[0], list):
            raise CacheError(f"cache '{name}': key '{key}' holds a list, not a string")
        return entry[0]

    async def store(self, name: str, key: str, value: str, ttl: int | None = None) -> bool:
        """Stores value at key (expiring after ttl seconds when given). True, or False for an unknown cache."""
        key = _key(key)
        if not isinstance(value, str):
            raise TypeError(f"cache value must be a str, got {type(value).__name__}")
        expires = None if ttl is None else time.monotonic() + _ttl(ttl)
        if name not in self._caches:
            return False
        self._caches[name][key] = [value, expires]
        return True

    async def delete(self, name: str, key: str) -> bool:
        """Removes key. True when the cache exists."""
        key = _key(key)
        if name not in self._caches:
            return False
        self._caches[name].pop(key, None)
        return True

    async def exists(self, name: str, key: str) -> bool:
        """Whether key holds a live value or list; False for an unknown cache."""
        key = _key(key)
        return name in self._caches and self._live(name, key) is not None

    async def expire(self, name: str, key: str, ttl: int) -> bool:
        """Sets key to expire in ttl seconds. True when the key exists."""
        key = _key(key)
        seconds = _ttl(ttl)
        if name not in self._caches:
            return False
        self._record_expire(name, key, ttl)
        entry = self._live(name, key)
        if entry is None:
            return False
        entry[1] = time.monotonic() + seconds
        return True

    async def list_push(self, name: str, key: str, item: str) -> int | None:
        """Appends item to the list at key; the list's new length, or None for an unknown cache."""
        key = _key(key)
        if not isinstance(item, str):
            raise TypeError(f"list item must be a str, got {type(item).__name__}")
        if name not in self._caches:
            return None
        entry = self._live(name, key)
        if entry is None:
            entry = self._caches[name][key] = [[], None]
        items = _items(name, key, entry)
        items.append(item)
        return len(items)

    async def list_pop_all(self, name: str, key: str) -> list[str]:
        """The list's items in push order, clearing it; [] when absent or the cache is unknown."""
        key = _key(key)
        if name not in self._caches:
            return []
        entry = self._live(name, key)
        if entry is None:
            return []
        items = _items(name, key, entry)
        del self._caches[name][key]
        return items

    async def list_len(self, name: str, key: str) -> int | None:
        """The list's length (0 when absent); None for an unknown cache."""
        key = _key(key)
        if name not in self._caches:
            return None
        entry = self._live(name, key)
        if entry is None:
            return 0
        return len(_items(name, key, entry))

    async def list_len_sum(self, name: str, prefix: str) -> int | None:
        """The summed lengths of the lists whose keys start with prefix (not empty); None for an unknown cache."""
        if prefix == "":
            raise ValueError("list_len_sum: the prefix must not be empty (it would sum every list in the cache)")
        prefix = _key(prefix)
        if name not in self._caches:
            return None
        total = 0
        for key in list(self._caches[name]):
            entry = self._live(name, key)
            if entry is not None and isinstance(entry[0], list) and key.startswith(prefix):
                total += len(entry[0])
        return total

    def has_cache(self, name: str) -> bool:
        """Whether a cache of that name exists."""
        return name in self._caches

    def _record_expire(self, name, key, ttl) -> None:
        pass


class _TestCache(MockCacheNamespace):
    """``harness.cache``: the mock cache plus what a test sets and inspects."""

    def __init__(self) -> None:
        super().__init__()
        #: every ``expire(name, key, ttl)`` call on an existing cache, as ``(name, key, ttl)``
        self.expirations: list[tuple[str, str, int]] = []

    def set_data(self, name: str, data: dict[str, str] | None = None) -> None:
        """Creates the cache ``name`` (if needed) and stores each key → value of ``data`` in it, without expiry."""
        entries = self._caches.setdefault(name, {})
        for key, value in (data or {}).items():
            entries[_key(key)] = [list(value) if isinstance(value, list) else value, None]

    def data(self, name: str) -> dict:
        """The live contents of ``name``: key → str or list[str] (a copy)."""
        return {k: (list(e[0]) if isinstance(e[0], list) else e[0])
                for k in list(self._caches.get(name, {})) if (e := self._live(name, k)) is not None}

    def clear(self) -> None:
        """Forgets every cache and every recorded expiration."""
        self._caches.clear()
        self.expirations.clear()

    def _record_expire(self, name, key, ttl) -> None:
        self.expirations.append((name, key, ttl))


CacheNamespace = MockCacheNamespace

#: the one instance: ``siphon.cache``'s functions are its bound methods, ``harness.cache`` is it.
cache = _TestCache()

_state.on_reset(cache.clear)

fetch = cache.fetch
store = cache.store
delete = cache.delete
exists = cache.exists
expire = cache.expire
list_push = cache.list_push
list_pop_all = cache.list_pop_all
list_len = cache.list_len
list_len_sum = cache.list_len_sum
has_cache = cache.has_cache
