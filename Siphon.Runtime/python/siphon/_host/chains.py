"""The guard chain then the handler, for a script without wrappers.

A chain of only plain functions runs whole on a thread of the worker's sync pool
(``run_sync_chain``); a chain with an ``async def`` in it runs on the event loop (``run_chain``),
and its plain functions each hop to the pool through the worker's ``Host.submit``."""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from siphon import http

from . import services

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    _Fn = Callable[..., Any]
    _Pair = tuple[_Fn, bool]  # (fn, is_sync)


class BadResult(Exception):
    """A middleware or handler returned something the dispatch rules do not allow."""


class Overloaded(Exception):
    """The worker's sync pool queue is at its bound (sync_queue_max): the request is answered 503."""


def describe(fn: object) -> str:
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__qualname__", repr(fn))
    return f"{name} ({code.co_filename}:{code.co_firstlineno})" if code else name


def check_guard(mw: _Fn, result: object) -> http.Response | None:
    if result is None or isinstance(result, http.Response):
        return result
    raise BadResult(f"middleware {describe(mw)} returned {type(result).__name__}, not http.Response or None")


async def run_chain(middleware: Sequence[_Pair], handler: _Fn, handler_sync: bool, req: http.Request) -> object:
    """The guard chain then the handler, on the loop; ``middleware`` holds (fn, is_sync) pairs and
    each plain function runs on the sync pool. Returns what the first guard or the handler answered."""
    submit = services.host.submit
    for mw, sync in middleware:
        result = await submit((mw, req)) if sync else mw(req)
        if inspect.isawaitable(result):
            result = await result
        if check_guard(mw, result) is not None:
            return result
    result = await submit((handler, req)) if handler_sync else handler(req)
    if inspect.isawaitable(result):
        result = await result
    return result


def run_sync_chain(middleware: Sequence[_Pair], handler: _Fn, req: http.Request) -> object:
    """The guard chain then the handler, all plain functions, on a sync pool thread; ``middleware``
    holds the same (fn, is_sync) pairs as run_chain's. The handler's result is returned as is (the
    worker schedules a coroutine it returns on the loop)."""
    for i, (mw, _sync) in enumerate(middleware):
        result = mw(req)
        if inspect.isawaitable(result):
            # A plain guard that returned an awaitable: the rest of the chain continues on the loop.
            return _resume(result, mw, middleware[i + 1:], handler, req)
        if check_guard(mw, result) is not None:
            return result
    return handler(req)


async def _resume(awaitable: Awaitable[object], mw: _Fn, rest: Sequence[_Pair], handler: _Fn,
                  req: http.Request) -> object:
    result = await awaitable
    if check_guard(mw, result) is not None:
        return result
    return await run_chain(rest, handler, True, req)
