"""Chains for a script that registered a wrapper (``(req, call_next)`` middleware): every chain of
that script version runs through ``run_wrapped_chain`` / ``run_wrapped_sync_chain``, and so do the
host's own 404/405/413 answers (through the wrappers alone). ``chains``' runners stay as they are for
scripts without one, so a wrapper costs nothing where there is none."""
from __future__ import annotations

import asyncio
import inspect
import traceback
from typing import TYPE_CHECKING, Any, TypeVar, cast

from siphon import _helpers, http, log

from . import services
from .chains import BadResult, Overloaded, check_guard, describe

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Sequence

    _T = TypeVar("_T")
    _Fn = Callable[..., Any]
    _Triple = tuple[_Fn, bool, bool]  # (fn, is_sync, wraps)
    # A _Pass's rest of the chain from a position: _inner_async (a coroutine) or _inner_sync.
    _Inner = Callable[[_Fn, int, http.Request], object]


# The host's own answers, as Hosting/Dispatch/ResponseWriter.cs words them (a test holds the two to the same bytes).
_TEXT = {"content-type": "text/plain; charset=utf-8"}


def _internal_error() -> http.Response:
    return http.Response(500, _TEXT, b"internal server error\n")


def _unavailable() -> http.Response:
    return http.Response(503, {**_TEXT, "retry-after": "1"}, b"service unavailable\n")


def run_wrapped_chain(middleware: Sequence[_Triple], handler: _Fn | None, handler_sync: bool, req: http.Request,
                      answer: http.Response | None = None) -> Coroutine[Any, Any, object]:
    """run_chain for a script with wrappers: a coroutine of the Response. ``middleware`` holds
    (fn, is_sync, wraps) triples; ``answer`` is the host's own answer (404/405/413) that ends the
    chain instead of the handler (then None), with ``middleware`` then holding the wrappers only."""
    return _Pass(middleware, handler, handler_sync, answer).run_async(req)


def run_wrapped_sync_chain(middleware: Sequence[_Triple], handler: _Fn | None, req: http.Request,
                           answer: http.Response | None = None) -> object:
    """run_sync_chain for a script with wrappers (every function plain), on a sync pool thread:
    returns the Response. Async code met on the way (a plain function returning a coroutine) runs
    on the loop while this thread waits."""
    return _Pass(middleware, handler, True, answer).run_sync(req)


async def _awaited(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


def _wait_on_loop(awaitable: Awaitable[_T]) -> _T:
    """From a sync pool thread: run awaitable on the worker's loop and wait (without the GIL)."""
    return asyncio.run_coroutine_threadsafe(_awaited(awaitable), services.host.loop).result()


class _Pass:
    """One request's way through a chain with wrappers. Each wrapper gets a call_next bound to the
    position after it; call_next turns what the rest raises or returns wrongly into a 500 (logged),
    so the wrapper sees every outcome as a Response. A second call of one call_next fails the
    whole request with 500, whatever the wrapper does with the error."""

    __slots__ = ("chain", "handler", "handler_sync", "answer", "twice")

    def __init__(self, chain: Sequence[_Triple], handler: _Fn | None, handler_sync: bool,
                 answer: http.Response | None) -> None:
        self.chain = chain
        self.handler = handler
        self.handler_sync = handler_sync
        self.answer = answer
        self.twice = False

    async def run_async(self, req: http.Request) -> object:
        result = await self._next_async(0, req)
        return _internal_error() if self.twice else result

    def run_sync(self, req: http.Request) -> object:
        result = self._next_sync(0, req)
        return _internal_error() if self.twice else result

    # The rest of the chain from position i, on the loop.
    async def _next_async(self, i: int, req: http.Request) -> object:
        chain = self.chain
        while i < len(chain):
            fn, sync, wraps = chain[i]
            i += 1
            if wraps:
                if sync:
                    call_next = self._call_next(fn, i, self._inner_sync)
                    result = await services.host.submit((lambda r: fn(r, call_next), req))
                else:
                    result = fn(req, self._call_next(fn, i, self._inner_async))
                if inspect.isawaitable(result):
                    result = await result
                return _check_wrapper(fn, result)
            result = await services.host.submit((fn, req)) if sync else fn(req)
            if inspect.isawaitable(result):
                result = await result
            if check_guard(fn, result) is not None:
                return result
        if self.answer is not None:
            return self.answer
        handler = cast("_Fn", self.handler)  # None only with an answer
        result = await services.host.submit((handler, req)) if self.handler_sync else handler(req)
        if inspect.isawaitable(result):
            result = await result
        return result

    # The rest of the chain from position i, on a sync pool thread; from the first async function
    # on, the rest runs on the loop while this thread waits.
    def _next_sync(self, i: int, req: http.Request) -> object:
        chain = self.chain
        while i < len(chain):
            fn, sync, wraps = chain[i]
            if not sync:
                return _wait_on_loop(self._next_async(i, req))
            i += 1
            if wraps:
                result = fn(req, self._call_next(fn, i, self._inner_sync))
                if inspect.isawaitable(result):
                    result = _wait_on_loop(result)
                return _check_wrapper(fn, result)
            result = fn(req)
            if inspect.isawaitable(result):
                result = _wait_on_loop(result)
            if check_guard(fn, result) is not None:
                return result
        if self.answer is not None:
            return self.answer
        handler = cast("_Fn", self.handler)  # None only with an answer
        if not self.handler_sync:
            return _wait_on_loop(handler(req))
        result = handler(req)
        if inspect.isawaitable(result):
            result = _wait_on_loop(result)
        return result

    def _call_next(self, wrapper: _Fn, i: int, inner: _Inner) -> Callable[[http.Request], object]:
        called = False

        def call_next(req: http.Request) -> object:
            nonlocal called
            if called:
                self.twice = True
                log.error(f"{req.method} {req.path}: middleware {describe(wrapper)} called call_next twice; answering 500")
                raise RuntimeError("call_next() may be called once per request")
            called = True
            return inner(wrapper, i, req)

        return call_next

    async def _inner_async(self, wrapper: _Fn, i: int, req: http.Request) -> http.Response:
        try:
            result = await self._next_async(i, req)
        except Exception as e:
            return _raised(req, wrapper, e)
        return _checked(req, wrapper, result)

    def _inner_sync(self, wrapper: _Fn, i: int, req: http.Request) -> http.Response:
        try:
            result = self._next_sync(i, req)
        except Exception as e:
            return _raised(req, wrapper, e)
        return _checked(req, wrapper, result)


def _raised(req: http.Request, wrapper: _Fn, e: Exception) -> http.Response:
    """What call_next returns when the rest of the chain raised (called while ``e`` is handled)."""
    if isinstance(e, Overloaded):
        return _unavailable()
    answer = _helpers.answer_for(e)  # an http.HTTPException is its own answer
    if answer is not None:
        return answer
    return _failed(req, wrapper, f"raised\n{traceback.format_exc().rstrip()}")


def _checked(req: http.Request, wrapper: _Fn, result: object) -> http.Response:
    if isinstance(result, http.Response):
        return result
    return _failed(req, wrapper, f"returned {type(result).__name__}, not http.Response")


def _failed(req: http.Request, wrapper: _Fn, what: str) -> http.Response:
    log.error(f"{req.method} {req.path}: what middleware {describe(wrapper)} called (call_next) {what}; it gets a 500")
    return _internal_error()


def _check_wrapper(mw: _Fn, result: object) -> http.Response:
    if isinstance(result, http.Response):
        return result
    raise BadResult(f"middleware {describe(mw)} returned {type(result).__name__}, not http.Response")
