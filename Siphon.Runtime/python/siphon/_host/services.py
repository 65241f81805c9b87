"""What the worker offers the script runtime: one ``Host`` object, handed over once at set-up."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from siphon import http

    # (fn, arg) -> an asyncio future of fn(arg) run on a sync pool thread.
    _Submit = Callable[[tuple[Callable[..., Any], http.Request]], asyncio.Future[Any]]


class Host:
    """The worker's services: ``submit((fn, req))`` runs a plain function on the worker's sync pool
    and returns an asyncio future of its result (resolved with ``Overloaded`` when the pool's queue
    is full); ``loop`` is the worker's event loop, on which a plain wrapper's ``call_next`` runs
    async code."""

    __slots__ = ("submit", "loop")

    def __init__(self, submit: _Submit, loop: asyncio.AbstractEventLoop) -> None:
        self.submit = submit
        self.loop = loop


# The worker's Host, set once by attach (one per interpreter: each worker imports its own copy).
host: Host = None  # type: ignore[assignment]


def attach(submit: _Submit, loop: asyncio.AbstractEventLoop) -> Host:
    """Called by the worker at set-up, before the script loads."""
    global host
    host = Host(submit, loop)
    return host
