"""Which HttpTestHarness is current, for the decorators, the mock Client and log.

A harness sets ``current`` while it loads a script (the decorators register
into it) and while it runs startup/shutdown hooks and requests (the mock
Client answers from its canned responses, ``log`` writes to its log). A
ContextVar, so asyncio tasks started by a handler see the same harness.

``latest`` is the harness made last: ``mock_module.reset()`` (the original
SDK's module-level reset) resets it. Other mock namespaces that keep state of
their own register a reset function with ``on_reset`` so that a fresh harness
and ``reset()`` clear them too.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from siphon_sdk.http_testing import HttpTestHarness

current: ContextVar[HttpTestHarness | None] = ContextVar("siphon_sdk_current_harness", default=None)

latest: HttpTestHarness | None = None

_reset_hooks: list[Callable[[], object]] = []


def current_harness() -> HttpTestHarness | None:
    """The harness loading or running a script in this context, or None."""
    return current.get()


def configured_base_url(harness: HttpTestHarness | None, name: str) -> str | None:
    """The base_url a named client has under harness (None when unknown or not set)."""
    if harness is None:
        return f"http://{name}"
    try:
        return harness._client_base_url(name)
    except KeyError:
        return None


def on_reset(fn: Callable[[], object]) -> None:
    """Register fn() to run on every reset (a new harness, harness.reset(), mock_module.reset())."""
    if fn not in _reset_hooks:
        _reset_hooks.append(fn)


def run_reset_hooks() -> None:
    for fn in list(_reset_hooks):
        fn()
