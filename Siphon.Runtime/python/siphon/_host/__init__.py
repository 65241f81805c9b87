"""The host's side of the script runtime: what the worker (C#) calls. Not part of the script API.

The worker imports this package once and reads every entry point from it; each lives in the
module that does that job:

- ``loading``: ``load_script`` runs the script and returns a ``LoadedScript`` (routes, middleware,
  hooks, the files a reload watches), with ``restore_modules``, ``error_location`` and ``refuse_clr``;
- ``chains``: ``run_chain`` / ``run_sync_chain``, the guards then the handler;
- ``wrapped``: ``run_wrapped_chain`` / ``run_wrapped_sync_chain``, for a script with
  ``(req, call_next)`` wrappers;
- ``lifecycle``: ``run_hooks`` / ``run_hooks_async`` for on_startup and on_shutdown;
- ``pump``: ``start_pump``, a streamed body drained on the loop;
- ``parking``: the worker's loop, whose selector parks in the host, and ``first_step``, a request's
  chain started on a thread that borrowed the interpreter;
- ``services``: ``attach``, which takes the worker's ``Host`` (its sync pool and its loop) once at
  set-up;
- ``extensions``: ``install_extension_modules``, the modules of the http.yaml ``extensions:``.
"""
from .chains import BadResult, Overloaded, run_chain, run_sync_chain
from .extensions import install_extension_modules
from .lifecycle import run_hooks, run_hooks_async
from .loading import LoadedScript, Route, error_location, load_script, refuse_clr, restore_modules
from .parking import first_step, foreign_threads, new_event_loop
from .pump import start_pump
from .services import Host, attach
from .wrapped import run_wrapped_chain, run_wrapped_sync_chain

__all__ = [
    "BadResult", "Host", "LoadedScript", "Overloaded", "Route", "attach", "error_location", "first_step",
    "foreign_threads", "install_extension_modules", "load_script", "new_event_loop",
    "refuse_clr", "restore_modules", "run_chain", "run_hooks", "run_hooks_async", "run_sync_chain",
    "run_wrapped_chain", "run_wrapped_sync_chain", "start_pump",
]
