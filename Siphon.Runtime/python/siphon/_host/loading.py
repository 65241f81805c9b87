"""Loading a script: run it as a fresh module and return what it registered as a ``LoadedScript``,
with every flag the worker needs computed here, once, on the side that knows the answer."""
from __future__ import annotations

import inspect
import os
import sys
import traceback
import types
from typing import TYPE_CHECKING, Any, cast

from siphon import http

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    # A script's handler, middleware or hook: a plain function, or one returning an awaitable.
    _Fn = Callable[..., Any]
    _Hook = tuple[_Fn, str, int]  # (fn, file, line)
    _Saved = tuple[dict[str, types.ModuleType], str]  # (modules, script path) for restore_modules


def is_async(fn: object) -> bool:
    """True for an ``async def`` (or an object whose ``__call__`` is one): it runs on the loop."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


class Route:
    """One ``@http.route``: ``sync`` when the handler is a plain function, ``chain_sync`` when the
    guards before it are plain functions too (the whole chain then runs on the sync pool),
    ``stream`` for ``stream=True``, ``websocket`` for an ``@http.websocket`` route (its handler is
    the entry ``http.websocket`` made, marked so)."""

    __slots__ = ("path", "methods", "handler", "file", "line", "stream", "sync", "chain_sync", "websocket")

    def __init__(self, path: str, methods: list[str], handler: _Fn, file: str, line: int, stream: bool,
                 middleware_sync: bool) -> None:
        self.path = path
        self.methods = methods
        self.handler = handler
        self.file = file
        self.line = line
        self.stream = stream
        self.sync = not is_async(handler)
        self.chain_sync = self.sync and middleware_sync
        self.websocket = getattr(handler, "_siphon_websocket", False) is True


class LoadedScript:
    """What one load of a script registered, as the worker's chain runners take it.

    ``middleware`` is None when the script registered none; else a tuple of (fn, is_sync) pairs,
    or of (fn, is_sync, wraps) triples when one of them is a ``(req, call_next)`` wrapper
    (``wraps``), with ``wrappers`` then the wrappers' triples alone (the chain the host's own
    404/405/413 answers go through) and ``wrappers_sync`` when those are all plain functions.
    ``files`` are the paths a live reload watches; ``saved`` is what ``restore_modules`` puts back
    when this version is not taken."""

    __slots__ = ("routes", "middleware", "middleware_count", "wraps", "wrappers", "wrappers_sync",
                 "startup", "shutdown", "module", "files", "saved")

    def __init__(self, routes: list[tuple[str, list[str], _Fn, str, int, bool]],
                 middleware: list[tuple[_Fn, bool, str, int]], startup: list[_Hook], shutdown: list[_Hook],
                 module: types.ModuleType, files: list[str], saved: _Saved) -> None:
        sync = [not is_async(fn) for fn, _wraps, _file, _line in middleware]
        self.wraps = any(wraps for _fn, wraps, _file, _line in middleware)
        if not middleware:
            self.middleware: tuple[tuple[Any, ...], ...] | None = None
        elif self.wraps:
            self.middleware = tuple((fn, s, wraps) for (fn, wraps, _f, _l), s in zip(middleware, sync))
        else:
            self.middleware = tuple((fn, s) for (fn, _w, _f, _l), s in zip(middleware, sync))
        self.middleware_count = len(middleware)
        self.wrappers = tuple(t for t in self.middleware if t[2]) if self.wraps and self.middleware else None
        self.wrappers_sync = all(t[1] for t in self.wrappers) if self.wrappers else True
        middleware_sync = all(sync)
        self.routes = tuple(Route(*r, middleware_sync) for r in routes)
        self.startup = startup
        self.shutdown = shutdown
        self.module = module
        self.files = files
        self.saved = saved


def load_script(path: str) -> LoadedScript:
    """Executes the script as a fresh module and returns what it registered. Every load (the first,
    or a live reload) runs in a new module object, and the local modules the script imports (files
    under its directory, outside site-packages) are imported afresh too, so module globals start
    fresh in each version."""
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
        files = [path] + sorted({os.path.abspath(cast(str, m.__file__)) for n, m in list(sys.modules.items())
                                 if n != name and _is_local(m, script_dir)})
        return LoadedScript(list(http._routes), list(http._middleware), list(http._startup),
                            list(http._shutdown), module, files, (saved, path))
    except BaseException:
        restore_modules((saved, path))
        raise
    finally:
        # The registries would otherwise keep this version's functions alive after it retires.
        for registry in (http._routes, http._middleware, http._startup, http._shutdown):
            registry.clear()


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
    is not taken (``saved`` as the LoadedScript holds it)."""
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
