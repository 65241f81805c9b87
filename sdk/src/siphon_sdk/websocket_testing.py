"""The test client of an ``@http.websocket`` route: ``HttpTestHarness.websocket(path)``.

It is the peer of the handler's ``MockWebSocket``, in memory: the upgrade runs the guards and the
handler on the running event loop (an ``async`` test, or ``asyncio.run``), as the host runs them
on the upgrade request; messages pass through the socket's queues. The host's rules hold: never
accepting answers 403 (``WebSocketRejected`` here, with the response), a guard's Response is
answered instead, a handler that returns closes with 1000 and one that raises with 1011 (its
exception in ``harness.errors``), a message past ``max_message_bytes`` closes with 1009."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from siphon_sdk import _routing, _state
from siphon_sdk.http import MockRequest, MockResponse, MockWebSocket, WebSocketDisconnect

if TYPE_CHECKING:
    from siphon_sdk._convert import RequestHeaders
    from siphon_sdk.http_testing import HttpTestHarness

__all__ = ["WebSocketRejected", "WebSocketTestClient"]


class WebSocketRejected(Exception):
    """The upgrade was answered instead of accepted: ``response`` (``status`` 403 when the handler
    never accepted, a guard's status, 404/405/426 from routing)."""

    def __init__(self, response: MockResponse) -> None:
        super().__init__(f"websocket upgrade answered {response.status}")
        self.response = response
        self.status = response.status


class WebSocketTestClient:
    """``async with harness.websocket("/chat") as ws:`` then ``await ws.send(...)``,
    ``await ws.receive()`` (``WebSocketDisconnect`` when the handler's side closes) and
    ``await ws.close(code, reason)``; leaving the block closes with 1000."""

    def __init__(self, harness: HttpTestHarness, path: str, headers: RequestHeaders | None, client: str,
                 max_message_bytes: int) -> None:
        self._harness = harness
        self._path = path
        self._headers = headers
        self._client = client
        self._max = max_message_bytes
        self._ws: MockWebSocket | None = None
        self._task: asyncio.Task[Any] | None = None
        self._closed: tuple[int, str] | None = None
        self._errors_before = 0
        self.subprotocol: str | None = None
        self.headers: dict[str, str] = {}

    async def __aenter__(self) -> WebSocketTestClient:
        h = self._harness
        raw_path, _, raw_query = self._path.partition("?")
        match = h._router.match("GET", raw_path)
        if match.status == 404:
            raise WebSocketRejected(MockResponse(404, {"content-type": "text/plain; charset=utf-8"}, b"not found\n"))
        if match.status != 200 or not match.route.websocket:
            raise WebSocketRejected(MockResponse(426, {"upgrade": "websocket"}, b"upgrade required\n"))
        req = MockRequest("GET", _routing.decoded_path(raw_path), path_params=match.params or {},
                          query_params=parse_qsl(raw_query, keep_blank_values=True), headers=self._headers,
                          client=self._client)
        ws = self._ws = MockWebSocket(req, self._max)
        self._errors_before = len(h.errors)  # a handler that raises after accept() adds one: close 1011
        token = _state.current.set(h)  # the task copies it: the script's http.Client finds the harness
        try:
            wraps = any(w for _, w in h._middleware)
            chain = h._wrapped(match.route, ws, None) if wraps else h._pipeline(match.route, ws)
            self._task = asyncio.get_running_loop().create_task(chain)
        finally:
            _state.current.reset(token)
        event = await self._next_event()
        if event[0] != "accept":
            raise WebSocketRejected(self._task.result())
        self.subprotocol, self.headers = event[1], event[2]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def send(self, message: str | bytes) -> None:
        """Sends a text (str) or binary (bytes) message to the handler."""
        if self._closed is not None:
            raise WebSocketDisconnect(*self._closed)
        if not isinstance(message, (str, bytes)):
            raise TypeError(f"send() takes str or bytes, not {type(message).__name__}")
        self._socket._incoming.put_nowait(message)
        await asyncio.sleep(0)

    async def receive(self) -> str | bytes:
        """The handler's next message; ``WebSocketDisconnect`` (``code``, ``reason``) once it closed."""
        if self._closed is not None:
            raise WebSocketDisconnect(*self._closed)
        event = await self._next_event()
        if event[0] == "message":
            return event[1]
        self._closed = (event[1], event[2])
        raise WebSocketDisconnect(event[1], event[2])

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Closes from the client's side (the handler's ``receive()`` sees it) and waits for the handler to end."""
        if self._closed is None:
            self._closed = (code, reason)
            self._socket._incoming.put_nowait((code, reason))
        if self._task is not None:
            await asyncio.wait({self._task})

    @property
    def _socket(self) -> MockWebSocket:
        if self._ws is None:
            raise RuntimeError("use the websocket test client as `async with harness.websocket(path) as ws:`")
        return self._ws

    async def _next_event(self) -> tuple:
        """What the handler's side did next: ("accept", ...), ("message", m) or ("close", code, reason);
        when the handler ended without closing, the host's close: 1011 after an error, else 1000."""
        outgoing = self._socket._outgoing
        if outgoing.empty() and self._task is not None:
            getter = asyncio.ensure_future(outgoing.get())
            await asyncio.wait({getter, self._task}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                return getter.result()
            getter.cancel()
            if outgoing.empty():
                if self._socket._state == "new" or self._socket._state == "refused":
                    return ("answered",)
                self._task.result()
                return ("close", 1011 if len(self._harness.errors) > self._errors_before else 1000, "")
        return outgoing.get_nowait()
