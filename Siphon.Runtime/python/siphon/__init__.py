"""Siphon's script API, as provided by the runtime: ``from siphon import http, log``."""
from . import http, log

__all__ = ["http", "log"]
