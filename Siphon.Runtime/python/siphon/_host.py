"""Host-side helpers the worker calls: loading a script, the middleware chains, lifecycle hooks and
error locations. Not part of the script API.

A chain of only plain functions runs whole on a thread of the worker's sync pool
(``run_sync_chain``); a chain with an ``async def`` in it runs on the event loop (``run_chain``),
and its plain functions each hop to the pool through ``_submit``, which the worker sets."""
import inspect
import os
import sys
import traceback
import types

from siphon import http


class BadResult(Exception):
    """A middleware or handler returned something the dispatch rules do not allow."""


class Overloaded(Exception):
    """The worker's sync pool queue is at its bound (sync_queue_max): the request is answered 503."""


# (fn, arg) -> an asyncio future of fn(arg) run on a sync pool thread; set by the worker.
_submit = None


def is_async(fn):
    """True for an ``async def`` (or an object whose ``__call__`` is one): it runs on the loop."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


def load_script(path):
    """Executes the script as a fresh module and returns what it registered:
    (routes, middleware, startup, shutdown); each a list of tuples ending in (file, line)."""
    for registry in (http._routes, http._middleware, http._startup, http._shutdown):
        registry.clear()
    path = os.path.abspath(path)
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec")
    name = os.path.splitext(os.path.basename(path))[0]
    module = types.ModuleType(name)
    module.__file__ = path
    script_dir = os.path.dirname(path)
    if script_dir not in sys.path:
        sys.path.insert(0, script_dir)
    sys.modules[name] = module
    exec(code, module.__dict__)
    return (list(http._routes), list(http._middleware), list(http._startup), list(http._shutdown))


def error_location(exc, path):
    """'file:line' of the deepest frame in the script (or the SyntaxError's line), else None."""
    path = os.path.abspath(path)
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == path:
        return f"{exc.filename}:{exc.lineno}"
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == path:
            where = f"{frame.filename}:{frame.lineno}"
    return where


def describe(fn):
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__qualname__", repr(fn))
    return f"{name} ({code.co_filename}:{code.co_firstlineno})" if code else name


def _check_guard(mw, result):
    if result is None or isinstance(result, http.Response):
        return result
    raise BadResult(f"middleware {describe(mw)} returned {type(result).__name__}, not http.Response or None")


async def run_chain(middleware, handler, handler_sync, req):
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


def run_sync_chain(middleware, handler, req):
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


async def _resume(awaitable, mw, rest, handler, req):
    result = await awaitable
    if _check_guard(mw, result) is not None:
        return result
    return await run_chain(rest, handler, True, req)


def run_hooks(loop, hooks):
    """Runs lifecycle hooks in order, each to completion on the worker's loop."""
    for fn, _file, _line in hooks:
        result = fn()
        if inspect.isawaitable(result):
            loop.run_until_complete(result)
