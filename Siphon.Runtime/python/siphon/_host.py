"""Host-side helpers the worker calls: loading a script, the middleware chains, lifecycle hooks and
error locations. Not part of the script API.

A chain of only plain functions runs whole on a thread of the worker's sync pool
(``run_sync_chain``); a chain with an ``async def`` in it runs on the event loop (``run_chain``),
and its plain functions each hop to the pool through ``_submit``, which the worker sets.

A script that registered a wrapper (``(req, call_next)`` middleware) has every chain run by
``run_wrapped_chain`` / ``run_wrapped_sync_chain`` instead; the two runners above stay as they are
for scripts without one, so a wrapper costs nothing where there is none.

Kept whole although over 400 lines: the worker reads every entry point from this one module
object, and the four chain runners share the guard and wrapper checks below."""
from __future__ import annotations

import asyncio
import inspect
import os
import sys
import traceback
import types
from typing import TYPE_CHECKING, Any, TypeVar, cast

from siphon import _helpers, http, log

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Awaitable, Callable, Coroutine, Iterable, Sequence

    _T = TypeVar("_T")
    # A script's handler, middleware or hook: a plain function, or one returning an awaitable.
    _Fn = Callable[..., Any]
    # What http.py registers, each ending in the decorator's (file, line).
    _Route = tuple[str, list[str], _Fn, str, int, bool]  # (path, methods, fn, file, line, stream)
    _Middleware = tuple[_Fn, bool, str, int]  # (fn, wraps, file, line)
    _Hook = tuple[_Fn, str, int]  # (fn, file, line)
    _Saved = tuple[dict[str, types.ModuleType], str]  # (modules, script path) for restore_modules
    _Pair = tuple[_Fn, bool]  # (fn, is_sync)
    _Triple = tuple[_Fn, bool, bool]  # (fn, is_sync, wraps)
    # A _Pass's rest of the chain from a position: _inner_async (a coroutine) or _inner_sync.
    _Inner = Callable[[_Fn, int, http.Request], object]


class BadResult(Exception):
    """A middleware or handler returned something the dispatch rules do not allow."""


class Overloaded(Exception):
    """The worker's sync pool queue is at its bound (sync_queue_max): the request is answered 503."""


# (fn, arg) -> an asyncio future of fn(arg) run on a sync pool thread; set by the worker.
_submit: Callable[[tuple[_Fn, http.Request]], asyncio.Future[Any]] = None  # type: ignore[assignment]

# The worker's event loop, for a plain wrapper's call_next to run async code on; set by the worker.
_loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]


def is_async(fn: object) -> bool:
    """True for an ``async def`` (or an object whose ``__call__`` is one): it runs on the loop."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


def load_script(path: str) -> tuple[list[_Route], list[_Middleware], list[_Hook], list[_Hook],
                                    types.ModuleType, list[str], _Saved]:
    """Executes the script as a fresh module and returns what it registered:
    (routes, middleware, startup, shutdown, module, files, saved); the first four are lists of
    tuples ending in (file, line). A middleware entry is (fn, wraps, file, line), wraps True for a
    (req, call_next) wrapper. Every load (the first, or a live reload) runs in a new module
    object, and the local modules the script imports (files under its directory, outside
    site-packages) are imported afresh too, so module globals start fresh in each version. ``files``
    are the paths a reload watches; ``saved`` is what restore_modules puts back when this version is
    not taken (it failed, or another interpreter's copy did)."""
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    script_dir = os.path.dirname(path)
    saved = {n: m for n, m in sys.modules.items() if n == name or _is_local(m, script_dir)}
    for n in saved:
        del sys.modules[n]
    for registry in (http._routes, http._middleware, http._startup, http._shutdown):
        registry.clear()
    try:
        with open(path, "rb") as f:
            source = f.read()
        code = compile(source, path, "exec")
        module = types.ModuleType(name)
        module.__file__ = path
        if script_dir not in sys.path:
            sys.path.insert(0, script_dir)
        sys.modules[name] = module
        exec(code, module.__dict__)
        registered = (list(http._routes), list(http._middleware), list(http._startup), list(http._shutdown))
    except BaseException:
        restore_modules((saved, path))
        raise
    finally:
        # The registries would otherwise keep this version's functions alive after it retires.
        for registry in (http._routes, http._middleware, http._startup, http._shutdown):
            registry.clear()
    files = [path] + sorted({os.path.abspath(cast(str, m.__file__)) for n, m in list(sys.modules.items())
                             if n != name and _is_local(m, script_dir)})
    return (*registered, module, files, (saved, path))


def _is_local(module: object, script_dir: str) -> bool:
    """A module imported from the script's own directory tree (not an installed package)."""
    f = getattr(module, "__file__", None)
    # A module made in memory has no real path: pythonnet's ``clr`` says ``__file__ == "unknown"``,
    # which abspath would place in the working directory (often the script's): never local.
    if (not isinstance(f, str) or not os.path.isabs(f)
            or getattr(module, "__name__", "").split(".")[0] == "siphon"):
        return False
    f = os.path.normpath(f)
    return (f.startswith(script_dir + os.sep) and os.sep + "site-packages" + os.sep not in f
            and os.sep + "dist-packages" + os.sep not in f)


def restore_modules(saved: _Saved) -> None:
    """Puts back the script's module and its local modules as they were before a load whose version
    is not taken (``saved`` as load_script returned it)."""
    saved_modules, path = saved
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    script_dir = os.path.dirname(path)
    for n, m in list(sys.modules.items()):
        if n == name or _is_local(m, script_dir):
            del sys.modules[n]
    sys.modules.update(saved_modules)


def error_location(exc: BaseException, path: str) -> str | None:
    """'file:line' of the deepest frame in the script (or the SyntaxError's line), else None."""
    path = os.path.abspath(path)
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == path:
        return f"{exc.filename}:{exc.lineno}"
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == path:
            where = f"{frame.filename}:{frame.lineno}"
    return where


def describe(fn: object) -> str:
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__qualname__", repr(fn))
    return f"{name} ({code.co_filename}:{code.co_firstlineno})" if code else name


def _check_guard(mw: _Fn, result: object) -> http.Response | None:
    if result is None or isinstance(result, http.Response):
        return result
    raise BadResult(f"middleware {describe(mw)} returned {type(result).__name__}, not http.Response or None")


async def run_chain(middleware: Sequence[_Pair], handler: _Fn, handler_sync: bool, req: http.Request) -> object:
    """The guard chain then the handler, on the loop; ``middleware`` holds (fn, is_sync) pairs and
    each plain function runs on the sync pool. Returns what the first guard or the handler answered."""
    for mw, sync in middleware:
        result = await _submit((mw, req)) if sync else mw(req)
        if inspect.isawaitable(result):
            result = await result
        if _check_guard(mw, result) is not None:
            return result
    result = await _submit((handler, req)) if handler_sync else handler(req)
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
        if _check_guard(mw, result) is not None:
            return result
    return handler(req)


async def _resume(awaitable: Awaitable[object], mw: _Fn, rest: Sequence[_Pair], handler: _Fn,
                  req: http.Request) -> object:
    result = await awaitable
    if _check_guard(mw, result) is not None:
        return result
    return await run_chain(rest, handler, True, req)


# ---------------------------------------------------------------- wrappers

# The host's own answers, as RequestHandler words them (a test holds the two to the same bytes).
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
    return asyncio.run_coroutine_threadsafe(_awaited(awaitable), _loop).result()


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
                    result = await _submit((lambda r: fn(r, call_next), req))
                else:
                    result = fn(req, self._call_next(fn, i, self._inner_async))
                if inspect.isawaitable(result):
                    result = await result
                return _check_wrapper(fn, result)
            result = await _submit((fn, req)) if sync else fn(req)
            if inspect.isawaitable(result):
                result = await result
            if _check_guard(fn, result) is not None:
                return result
        if self.answer is not None:
            return self.answer
        handler = cast("_Fn", self.handler)  # None only with an answer
        result = await _submit((handler, req)) if self.handler_sync else handler(req)
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
            if _check_guard(fn, result) is not None:
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
        except Overloaded:
            return _unavailable()
        except Exception as e:
            answer = _helpers.answer_for(e)  # an http.HTTPException is its own answer
            if answer is not None:
                return answer
            return _failed(req, wrapper, f"raised\n{traceback.format_exc().rstrip()}")
        return _checked(req, wrapper, result)

    def _inner_sync(self, wrapper: _Fn, i: int, req: http.Request) -> http.Response:
        try:
            result = self._next_sync(i, req)
        except Overloaded:
            return _unavailable()
        except Exception as e:
            answer = _helpers.answer_for(e)  # an http.HTTPException is its own answer
            if answer is not None:
                return answer
            return _failed(req, wrapper, f"raised\n{traceback.format_exc().rstrip()}")
        return _checked(req, wrapper, result)


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


def run_hooks(loop: asyncio.AbstractEventLoop, hooks: Iterable[_Hook]) -> None:
    """Runs lifecycle hooks in order, each to completion on the worker's loop."""
    for fn, _file, _line in hooks:
        result = fn()
        if inspect.isawaitable(result):
            loop.run_until_complete(result)


async def run_hooks_async(hooks: Iterable[_Hook]) -> None:
    """run_hooks for a loop that is already running (a live reload): the same order, each to completion."""
    for fn, _file, _line in hooks:
        result = fn()
        if inspect.isawaitable(result):
            await result


class _NoClrInSubInterpreters:
    """A meta path finder for workers in a sub-interpreter (worker_mode: interpreters, workers
    1..N-1): pythonnet, which provides ``clr``, runs in the main interpreter only."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None) -> None:
        if name == "clr":
            raise ImportError(
                "import clr: the .NET bridge (pythonnet) is available in the main interpreter only, and "
                "this worker runs in a sub-interpreter (worker_mode: interpreters); use worker_mode: "
                "processes, or workers: 1, for a script that imports clr",
                name="clr")
        return None


def refuse_clr() -> None:
    """Called by a worker in a sub-interpreter before the script loads."""
    sys.meta_path.insert(0, _NoClrInSubInterpreters)


def start_pump(body: AsyncIterable[object], write: Callable[[bytes], Awaitable[object]],
               done: Callable[[asyncio.Task[None]], object]) -> asyncio.Task[None]:
    """Drains a streamed body (an async iterable of bytes/str) on the loop: each chunk is handed to
    ``write``, whose awaitable resolves once the host has taken (and flushed) it, so the producer
    never runs ahead of the socket. ``done`` gets the finished task."""
    task = asyncio.ensure_future(_pump(body, write))
    task.add_done_callback(done)
    return task


async def _pump(body: AsyncIterable[object], write: Callable[[bytes], Awaitable[object]]) -> None:
    it = aiter(body)
    try:
        async for chunk in it:
            chunk = _helpers.as_bytes(chunk)
            if chunk:
                await write(chunk)
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()
