"""Siphon's script API, as provided by the runtime: ``from siphon import http, log, cache``."""
from . import http, log, cache

__all__ = ["http", "log", "cache"]
