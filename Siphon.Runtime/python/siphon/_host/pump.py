"""A streamed body (a handler's async iterable, or a client.stream() request body) drained on the loop."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from siphon import _helpers

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Awaitable, Callable


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
