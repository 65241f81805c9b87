"""Siphon's script API: ``from siphon import http, log, cache``."""
from . import cache as cache
from . import http as http
from . import log as log

__all__ = ["http", "log", "cache"]
