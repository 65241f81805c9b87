"""``siphon.cache`` under test: re-exports the mock from ``siphon_sdk.cache`` (its script-facing
names only; tests reach the mock itself as ``harness.cache``)."""

from siphon_sdk.cache import (  # noqa: F401
    CacheError,
    CacheNamespace,
    delete,
    exists,
    expire,
    fetch,
    has_cache,
    list_len,
    list_len_sum,
    list_pop_all,
    list_push,
    store,
)

__all__ = ["CacheNamespace", "CacheError", "fetch", "store", "delete", "exists", "expire", "list_push",
           "list_pop_all", "list_len", "list_len_sum", "has_cache"]
