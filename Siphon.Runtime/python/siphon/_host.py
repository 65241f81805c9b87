"""Host-side helpers the worker calls: loading a script, the middleware chain, lifecycle hooks and
error locations. Not part of the script API."""
import inspect
import os
import sys
import traceback
import types

from siphon import http


class BadResult(Exception):
    """A middleware or handler returned something the dispatch rules do not allow."""


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


async def run_chain(middleware, handler, req):
    """The guard chain then the handler; returns what the first guard or the handler answered."""
    for mw in middleware:
        result = mw(req)
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            continue
        if isinstance(result, http.Response):
            return result
        raise BadResult(f"middleware {describe(mw)} returned {type(result).__name__}, not http.Response or None")
    result = handler(req)
    if inspect.isawaitable(result):
        result = await result
    return result


def run_hooks(loop, hooks):
    """Runs lifecycle hooks in order, each to completion on the worker's loop."""
    for fn, _file, _line in hooks:
        result = fn()
        if inspect.isawaitable(result):
            loop.run_until_complete(result)
