"""Siphon's script API: ``from siphon import http, log``."""
from . import http as http
from . import log as log

__all__ = ["http", "log"]
