"""The mock ``siphon`` package (from siphon-sdk), so ``from siphon import http, log, cache``
works under test exactly as under the runtime, which provides the real one.

Everything is re-exported from ``siphon_sdk``; see siphon_sdk/http.py and siphon_sdk/cache.py.
"""

from siphon import cache, http, log

__all__ = ["http", "log", "cache"]
