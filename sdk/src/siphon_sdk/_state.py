"""Which HttpTestHarness is current, for the decorators, the mock Client and log.

A harness sets ``current`` while it loads a script (the decorators register
into it) and while it runs startup/shutdown hooks and requests (the mock
Client answers from its canned responses, ``log`` writes to its log). A
ContextVar, so asyncio tasks started by a handler see the same harness.
"""

from __future__ import annotations

from contextvars import ContextVar

current: ContextVar = ContextVar("siphon_sdk_current_harness", default=None)


def current_harness():
    """The harness loading or running a script in this context, or None."""
    return current.get()
