"""The worker's event loop waits in one place: its selector's ``select()``, which hands the wait to
the host (``park``). The host lets go of the GIL there and marks the interpreter parked, so that a
thread that has just read a request may borrow the interpreter and run the request itself, with no
wake-up of the loop (``first_step``); see docs/architecture.md, "Threading model"."""
from __future__ import annotations

import asyncio
import selectors
import sys
import threading
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

_eager = getattr(asyncio, "eager_task_factory", None)  # 3.12+
_Task = asyncio.Task
_coroutine = types.CoroutineType


class ParkingSelector(selectors.EpollSelector):
    """An epoll selector whose blocking wait is the host's ``park((fd, timeout))``: it releases the
    GIL, waits until the epoll descriptor is ready or the timeout passes, and takes the interpreter
    back (after a borrower, if one is running). The events are then read without blocking."""

    def __init__(self, park: Callable[[tuple[int, float]], None]) -> None:
        super().__init__()
        self._park = park

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout > 0:
            self._park((self.fileno(), -1.0 if timeout is None else timeout))
        return super().select(0)


def new_event_loop(park: Callable[[tuple[int, float]], None]) -> asyncio.AbstractEventLoop:
    """The worker's loop, made the thread's current one; on 3.12+ with asyncio's eager task factory,
    so a coroutine that finishes without suspending completes inside create_task."""
    loop = asyncio.SelectorEventLoop(ParkingSelector(park))
    asyncio.set_event_loop(loop)
    if _eager is not None:
        loop.set_task_factory(_eager)
    return loop


class _StepCapture:
    """Stands in for the loop's ``call_soon`` while a task is made on 3.11, which schedules only the
    task's first step there: the step is kept to be run at once, without a Handle in the loop's
    ready queue."""

    __slots__ = ("step", "context")

    def __call__(self, callback: Callable[..., object], *args: object, context: Any = None) -> None:
        self.step = callback
        self.context = context


def first_step(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[Any]) -> tuple[Any, bool, bool]:
    """On a thread that borrowed the interpreter while the loop was parked: make ``awaitable`` a task
    of ``loop`` and run its first step here, as the loop would. Returns ``(result, wake, True)`` when
    the task finished with a result, else ``(task, wake, False)``; ``wake`` says whether the loop must
    be woken (the task suspended, or the step scheduled callbacks for the loop)."""
    asyncio._set_running_loop(loop)
    try:
        ready: Any = loop._ready  # type: ignore[attr-defined]
        if type(awaitable) is not _coroutine or loop._task_factory is not _eager:  # type: ignore[attr-defined]
            task = _first_step_of_any(loop, awaitable, ready)
        elif _eager is not None:  # 3.12+: the eager task runs its first step as it is made
            task = _Task(awaitable, loop=loop, eager_start=True)  # type: ignore[call-arg]
        else:  # 3.11: as loop.create_task without a factory, the first step kept and run here
            capture = _StepCapture()
            loop.call_soon = capture  # type: ignore[method-assign]
            try:
                task = _Task(awaitable, loop=loop)
            finally:
                del loop.call_soon
            capture.context.run(capture.step)
        if task.done() and not task.cancelled() and task.exception() is None:
            return task.result(), len(ready) > 0, True
        return task, not task.done() or len(ready) > 0, False
    finally:
        asyncio._set_running_loop(None)


def _first_step_of_any(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[Any], ready: Any) -> asyncio.Future[Any]:
    """Any awaitable, or a loop whose task factory the script replaced: through ensure_future, then
    (3.11, no eager factory) the first step the task queued, run here."""
    queued = len(ready)
    task = asyncio.ensure_future(awaitable, loop=loop)
    if _eager is None and not task.done() and len(ready) == queued + 1:
        ready.pop()._run()
    return task


def foreign_threads() -> bool:
    """Whether a thread the host does not know may run Python in this interpreter: a thread the
    script started (or an executor's, e.g. asyncio.to_thread), or .NET threads calling in through
    pythonnet once a script has imported a .NET namespace. While one may, no request is run on a
    borrowing thread."""
    if _dotnet_imported():
        return True
    main = threading.main_thread()
    return any(t is not main and not isinstance(t, threading._DummyThread)  # type: ignore[attr-defined]
               for t in list(threading._active.values()))  # type: ignore[attr-defined]


_dotnet_seen = False


def _dotnet_imported() -> bool:
    """A .NET namespace was imported through pythonnet (``import clr`` then ``from System import
    ...``: a module of pythonnet's type, ``CLR.ModuleObject``; pythonnet's own ``clr`` module is a
    plain one, there from the start). Once seen it counts for good: the namespace's delegates may
    call in after its module is gone. (The host asks only when sys.modules or the threads changed
    size: HostPackage.ForeignThreads.)"""
    global _dotnet_seen
    if not _dotnet_seen:
        _dotnet_seen = any(type(m).__module__ == "CLR" for m in list(sys.modules.values()))
    return _dotnet_seen
