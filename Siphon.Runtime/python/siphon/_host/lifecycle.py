"""on_startup and on_shutdown hooks, run in order, each to completion."""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterable

    _Hook = tuple[Callable[..., Any], str, int]  # (fn, file, line)


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
