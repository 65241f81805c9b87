"""The mock ``siphon.http`` namespace: Request, Response, Client, errors, decorators.

This file is the SDK side of the script API contract (docs/script-api.md).
The runtime's bound C# types are the other side, and a Roslyn analyzer reads
THIS SOURCE and compares it with them: class and member names, parameter
names/order/kinds/defaults, ``def`` vs ``async def``, ``@property`` vs method.
So keep it plain: one class per bound type, literal defaults, no dynamic
attribute tricks; helpers live in the private ``_routing``/``_convert``/
``_state`` modules, and the only public names are those in ``__all__``.

Nothing here does I/O. The mock Client records each call and answers from the
current ``HttpTestHarness``'s canned responses; the decorators register into
the harness that is loading the script (outside a harness they only check
their arguments).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from siphon_sdk import _convert, _forms, _messages, _routing, _state
from siphon_sdk._multipart import MultipartPart

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
    from typing import TypeVar

    from siphon_sdk._convert import Body, Headers, RequestHeaders, StreamedBody

    # A decorated handler, middleware or hook: returned unchanged.
    _F = TypeVar("_F", bound=Callable[..., Any])

__all__ = [
    "MockRequest",
    "MockResponse",
    "MockClient",
    "MockBodyStream",
    "MockClientStream",
    "MockStreamedResponse",
    "MockSpan",
    "MockWebSocket",
    "WebSocketDisconnect",
    "HttpStatusError",
    "ClientError",
    "ConnectError",
    "ClientTimeoutError",
    "TlsError",
    "UnknownClientError",
    "BodyTooLargeError",
    "HTTPException",
    "BadRequestError",
    "JSONResponse",
    "FormData",
    "UploadFile",
    "read_multipart",
    "MultipartPart",
    "Request",
    "Response",
    "Client",
    "BodyStream",
    "ClientStream",
    "StreamedResponse",
    "Span",
    "WebSocket",
    "CallNext",
    "SyncCallNext",
    "route",
    "websocket",
    "middleware",
    "on_startup",
    "on_shutdown",
]


# --------------------------------------------------------------------------
# errors


# RuntimeError, as in the runtime: siphon-http raised RuntimeError for these, so a ported
# script's `except RuntimeError:` keeps catching them.
class HttpStatusError(RuntimeError):
    """Raised by Response.raise_for_status() for a status >= 400; carries the response."""

    def __init__(self, response: MockResponse) -> None:
        """Wrap response (its status is in the message)."""
        super().__init__(f"HTTP status {response.status}")
        self._response = response

    @property
    def response(self) -> "MockResponse":
        """The response whose status was >= 400."""
        return self._response

    @property
    def status(self) -> int:
        """The response's status code."""
        return self._response.status


class ClientError(RuntimeError):
    """An outbound call failed before a response arrived (base of the transport errors)."""


class ConnectError(ClientError):
    """The upstream could not be reached (refused, unresolvable; in the mock: nothing canned, strict harness)."""


class ClientTimeoutError(ClientError, TimeoutError):
    """The outbound call ran past the client's timeout_ms."""


class TlsError(ClientError):
    """The TLS handshake with the upstream failed (certificate or protocol)."""


class UnknownClientError(ClientError, KeyError):
    """http.Client(name) names no configured client (the mock checks at the client's first call)."""

    def __str__(self) -> str:
        """The message as given (KeyError's own str() would quote it)."""
        return RuntimeError.__str__(self)


class BodyTooLargeError(RuntimeError):
    """req.stream() on a stream=True route passed max_body_bytes; the client gets 413 unless the handler answers."""


class HTTPException(Exception):
    """Raised from a guard, wrapper or handler: answered with status, headers and detail (default: the reason phrase) as a text/plain line."""

    def __init__(self, status: int, detail: str = "", headers: Headers | None = None) -> None:
        """status 100-599 (else ValueError); headers a dict or (name, value) pairs."""
        self.status = _checked_status(status)
        self.detail = detail
        self.headers = headers
        super().__init__(status, detail)

    @property
    def status_code(self) -> int:
        """Starlette's name for status."""
        return self.status

    def __str__(self) -> str:
        """"status: detail"."""
        return f"{self.status}: {self.detail}" if self.detail else str(self.status)


class BadRequestError(HTTPException, ValueError):
    """The request's body is not what was asked for (req.json() of invalid JSON, ...): a ValueError answered 400 if let go."""

    def __init__(self, detail: str = "") -> None:
        """detail: what is wrong, sent to the client after "bad request: "."""
        super().__init__(400, detail)

    def __str__(self) -> str:
        """The detail alone, as a ValueError's message."""
        return self.detail


class WebSocketDisconnect(Exception):
    """Raised by ``ws.receive()`` (and ``ws.send()``) when the peer has closed the websocket
    (``code`` from its close frame, 1005 when it sent none) or gone away (1006), and when a message
    passed ``max_message_bytes`` (1009). ``async for msg in ws`` ends quietly on 1000, 1001, 1005."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        super().__init__(code, reason)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}" if self.reason else str(self.code)


def JSONResponse(content: Any, status: int = 200, headers: Headers | None = None) -> MockResponse:
    """A Response whose body is content as JSON (UTF-8, compact, NaN refused), content-type application/json unless headers name one."""
    body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    if headers is None:
        return MockResponse(status, {"content-type": "application/json"}, body)
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    if not any(isinstance(p, (tuple, list)) and len(p) == 2 and str(p[0]).lower() == "content-type" for p in pairs):
        pairs.insert(0, ("content-type", "application/json"))
    return MockResponse(status, pairs, body)


class UploadFile:
    """A file part of a ``multipart/form-data`` body (``req.form()``): its ``filename`` as the
    client sent it (never used as a path by the host: do not use it as one either), its
    ``content_type`` (``None`` when the part had none), ``size`` in bytes, and ``read()``."""

    __slots__ = ("_filename", "_content_type", "_data")

    def __init__(self, filename: str, content_type: str | None, data: bytes) -> None:
        """Made by req.form() (tests may build one)."""
        self._filename = filename
        self._content_type = content_type
        self._data = data

    @property
    def filename(self) -> str:
        """The filename as sent (Content-Disposition filename or filename*)."""
        return self._filename

    @property
    def content_type(self) -> str | None:
        """The part's Content-Type, or None."""
        return self._content_type

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return len(self._data)

    def read(self) -> bytes:
        """The file's bytes (the body is in memory on a buffered route)."""
        return self._data

    def __repr__(self) -> str:
        """UploadFile(filename=..., content_type=..., size=...)."""
        return f"UploadFile(filename={self._filename!r}, content_type={self._content_type!r}, size={self.size})"


class FormData:
    """``req.form()``: a form's fields in order, read like Starlette's: ``form[name]`` is the last
    value (``KeyError`` when absent), ``get(name, default=None)`` too, ``getlist(name)`` every value
    in order, iteration gives each name once. Values are ``str``, or ``UploadFile`` for file parts."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str | UploadFile]]) -> None:
        """items: (name, value) pairs in order."""
        self._items = list(items)

    def __getitem__(self, name: str) -> str | UploadFile:
        """The last value of name; KeyError when absent."""
        for key, value in reversed(self._items):
            if key == name:
                return value
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        """The last value of ``name``, or ``default``."""
        try:
            return self[name]
        except KeyError:
            return default

    def getlist(self, name: str) -> list[str | UploadFile]:
        """Every value of ``name``, in order (``[]`` when absent)."""
        return [value for key, value in self._items if key == name]

    def keys(self) -> list[str]:
        """Each name once, in the order of its first field."""
        return list(dict.fromkeys(key for key, _ in self._items))

    def multi_items(self) -> list[tuple[str, str | UploadFile]]:
        """Every (name, value) pair, in order."""
        return list(self._items)

    def __iter__(self) -> Iterator[str]:
        """Each name once."""
        return iter(self.keys())

    def __len__(self) -> int:
        """How many distinct names."""
        return len(self.keys())

    def __contains__(self, name: object) -> bool:
        """Whether a field has that name."""
        return any(key == name for key, _ in self._items)

    def __repr__(self) -> str:
        """FormData([...pairs...])."""
        return f"FormData({self._items!r})"



def _parse_json(data: bytes, what: str, bad_request: bool) -> Any:
    try:
        return json.loads(data)
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        message = f"{what}: the body is not valid JSON ({e})"
    raise BadRequestError(message) if bad_request else ValueError(message)


# --------------------------------------------------------------------------
# Body streams


class MockBodyStream:
    """An async iterator over a body's bytes chunks (req.stream(), resp.aiter_bytes()). Only the mock constructs one."""

    def __init__(self, chunks: Iterable[Body] | AsyncIterable[Body] | None = None, *, limit: int | None = None) -> None:
        """chunks: an iterable or async iterable of bytes/str; limit: raise BodyTooLargeError past that many bytes."""
        self._source = chunks if chunks is not None else ()
        self._iter = None
        self._limit = limit
        self._read = 0
        self._exceeded = False

    def __aiter__(self) -> "MockBodyStream":
        """Returns the iterator itself."""
        return self

    async def __anext__(self) -> bytes:
        """The next chunk; StopAsyncIteration at the end of the body."""
        if self._exceeded:
            raise BodyTooLargeError(f"the request body is larger than max_body_bytes ({self._limit})")
        chunk = await _convert.next_chunk(self)
        if self._limit is not None and self._read + len(chunk) > self._limit:
            self._exceeded = True
            raise BodyTooLargeError(f"the request body is larger than max_body_bytes ({self._limit})")
        self._read += len(chunk)
        await asyncio.sleep(0)  # a chunk arriving is a suspension point, as in the runtime
        return chunk


# --------------------------------------------------------------------------
# Span


class MockSpan:
    """A request's span (``req.span``). The mock exports nothing: what a script adds is kept in
    ``attributes`` and ``events`` (also when not recording, unlike the runtime) for a test to read,
    e.g. ``harness.spans[-1].attributes``. Only the mock constructs one."""

    def __init__(self, recording: bool = False) -> None:
        """recording: what is_recording answers (True for a request of a harness made with tracing=True)."""
        self._recording = recording
        #: every set_attribute, the last value per key
        self.attributes: dict[str, str | int | float | bool] = {}
        #: (name, attributes) of every add_event, in order
        self.events: list[tuple[str, dict[str, str | int | float | bool]]] = []

    @property
    def is_recording(self) -> bool:
        """True when what is added is recorded (tracing is on and this request's trace is sampled)."""
        return self._recording

    def set_attribute(self, key: str, value: str | int | float | bool) -> None:
        """Sets an attribute on the span; value is str, int, float or bool (a later value for the same key replaces it)."""
        _convert.span_value(value, "value")
        if not isinstance(key, str):
            raise TypeError(f"key: expected str, got {type(key).__name__}")
        if not key:
            raise ValueError("set_attribute: key must not be empty")
        self.attributes[key] = value

    def add_event(self, name: str, attributes: dict[str, str | int | float | bool] | None = None) -> None:
        """Adds a timestamped event to the span, with optional attributes (values str, int, float or bool)."""
        if not isinstance(name, str):
            raise TypeError(f"name: expected str, got {type(name).__name__}")
        if attributes is not None and not isinstance(attributes, dict):
            raise TypeError(f"attributes must be a dict[str, str | int | float | bool] or None, got {type(attributes).__name__}")
        checked = {}
        for k, v in (attributes or {}).items():
            if not isinstance(k, str):
                raise TypeError(f"attributes: keys must be str, got {type(k).__name__}")
            checked[k] = _convert.span_value(v, f"attributes[{k}]")
        self.events.append((name, checked))


# --------------------------------------------------------------------------
# Request


class MockRequest:
    """An incoming request as a handler sees it. Only the mock can construct one."""

    def __init__(
        self,
        method: str = "GET",
        path: str = "/",
        *,
        path_params: Mapping[str, str] | None = None,
        query_params: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        headers: RequestHeaders | None = None,
        body: Body | None = b"",
        client: str = "127.0.0.1:0",
        client_cert: str | None = None,
        trace_id: str | None = None,
        span_id: str | None = None,
    ) -> None:
        """Build a request; method is upper-cased, header names lower-cased (repeats joined with ", ").
        trace_id/span_id: the request's trace (None: tracing off, as by default on the host)."""
        if not isinstance(method, str) or not isinstance(path, str):
            raise TypeError("method and path must be str")
        self._method = method.upper()
        self._path = path
        self._path_params = _convert.str_dict(path_params, "path_params")
        self._query_lines = _convert.query_lines(query_params)
        self._query_params = dict(self._query_lines)  # the last value wins, as on the host
        self._header_lines = _convert.request_header_lines(headers)
        self._headers = _convert.request_headers(self._header_lines)
        self._body = _convert.to_body(body)
        self._client = client
        self._client_cert = client_cert
        self._trace_id = trace_id
        self._span_id = span_id
        self._span = MockSpan(recording=trace_id is not None)
        self._stream = None  # set by the harness on a stream=True route: (chunks, limit)
        self._opened_stream = None
        # As on the host: each dict is made on the first read and the same one returned after, so a
        # change a middleware makes to req.headers is what the handler then reads (req.header() too).
        self._dicts: dict[str, dict[str, str]] = {}

    def _dict(self, name: str, source: dict[str, str]) -> dict[str, str]:
        made = self._dicts.get(name)
        if made is None:
            made = self._dicts[name] = dict(source)
        return made

    @property
    def method(self) -> str:
        """The method, upper case."""
        return self._method

    @property
    def path(self) -> str:
        """The percent-decoded path (``%2F`` kept encoded), without the query string."""
        return self._path

    @property
    def path_params(self) -> dict[str, str]:
        """Params captured by the matched route pattern, percent-decoded."""
        return self._dict("path_params", self._path_params)

    @property
    def query_params(self) -> dict[str, str]:
        """The parsed query string; the last value wins for a repeated key."""
        return self._dict("query_params", self._query_params)

    @property
    def headers(self) -> dict[str, str]:
        """Request headers with lower-case names; repeated headers joined with ", "."""
        return self._dict("headers", self._headers)

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies of the Cookie header(s) as they arrived (first name wins, quotes stripped)."""
        return self._dict("cookies", _messages.cookies(self._header_lines))

    def query_list(self, name: str) -> list[str]:
        """Every value of a repeated query key, in order (what req.query_params holds, if the script changed it)."""
        arrived = [v for k, v in self._query_lines if k == name]
        return _messages.values(self.query_params, name, arrived, False)

    def header_list(self, name: str) -> list[str]:
        """Every value of a repeated header, one per line as it arrived (what req.headers holds, if the script changed it)."""
        lower = name.lower()
        arrived = [v for k, v in self._header_lines if k == lower]
        return _messages.values(self.headers, lower, arrived, True)

    @property
    def client(self) -> str:
        """The peer as "ip:port" (the left-most X-Forwarded-For entry behind a trusted proxy)."""
        return self._client

    @property
    def client_cert(self) -> str | None:
        """Subject of the verified client certificate on a mutual-TLS listener, else None."""
        return self._client_cert

    @property
    def trace_id(self) -> str | None:
        """The W3C trace id (32 hex digits) of the request's trace, or None when tracing is off."""
        return self._trace_id

    @property
    def span_id(self) -> str | None:
        """The id (16 hex digits) of the request's server span, or None when tracing is off."""
        return self._span_id

    @property
    def span(self) -> MockSpan:
        """The request's span: add attributes and events to it (kept on the MockSpan for tests)."""
        return self._span

    def body(self) -> bytes:
        """The buffered request body (RuntimeError on a stream=True route: read stream() there)."""
        if self._stream is not None:
            raise RuntimeError(
                f"req.body() is not available on a stream=True route ({self._method} {self._path}): "
                "read the body with `async for chunk in req.stream()`"
            )
        return self._body

    def json(self) -> Any:
        """The body parsed as JSON; invalid JSON raises BadRequestError (400 if let go); RuntimeError on a stream=True route."""
        if self._stream is not None:
            raise RuntimeError(
                f"req.json() is not available on a stream=True route ({self._method} {self._path}): "
                "read the body with `async for chunk in req.stream()` and parse it")
        return _parse_json(self._body, "req.json()", True)

    def form(self) -> FormData:
        """The body read as a form (urlencoded or multipart/form-data); BadRequestError for what is not one; RuntimeError on a stream=True route."""
        if self._stream is not None:
            raise RuntimeError(
                f"req.form() is not available on a stream=True route ({self._method} {self._path}): "
                "read the parts with `async for part in http.read_multipart(req)`")
        try:
            entries = _forms.parse(self._headers.get("content-type"), self._body)
        except ValueError as e:
            raise BadRequestError(f"req.form(): {e}") from None
        return FormData([(n, UploadFile(*v) if isinstance(v, tuple) else v) for n, v in entries])

    def stream(self) -> "MockBodyStream":
        """The body as an async iterator of bytes chunks: as sent on a stream=True route (once), else the buffered body as one chunk."""
        if self._stream is None:
            return MockBodyStream([self._body] if self._body else [])
        if self._opened_stream is not None:
            raise RuntimeError("req.stream() on a stream=True route can be read once")
        chunks, limit = self._stream
        self._opened_stream = MockBodyStream(chunks, limit=limit)
        return self._opened_stream

    def header(self, name: str) -> str | None:
        """One header's value by case-insensitive name, or None; it reads req.headers, so a middleware's change is what it returns."""
        return _messages.header(self.headers, name)


# --------------------------------------------------------------------------
# WebSocket


class MockWebSocket:
    """The ``ws`` of an ``@http.websocket`` handler: the upgrade request's members, then accept(),
    receive() / ``async for``, send() and close(). Made by ``HttpTestHarness.websocket``, whose
    client is the other end (messages pass through in-memory queues, nothing does I/O)."""

    def __init__(self, request: MockRequest, max_message_bytes: int = 1048576) -> None:
        """A socket over ``request`` (the upgrade request); the peer's messages arrive through ``_feed``."""
        self._request = request
        self._max_message_bytes = max_message_bytes
        self._state = "new"  # new -> accepted -> closed, or new -> refused
        self._close: tuple[int, str] | None = None  # how the socket closed, once it has
        self._incoming: asyncio.Queue = asyncio.Queue()  # from the peer: str | bytes | (code, reason)
        self._outgoing: asyncio.Queue = asyncio.Queue()  # to the peer: ("accept", ...), ("message", m), ("close", code, reason)
        self._receiving = False

    @property
    def method(self) -> str:
        """The upgrade request's method: GET."""
        return self._request.method

    @property
    def path(self) -> str:
        """The percent-decoded path, without the query string."""
        return self._request.path

    @property
    def path_params(self) -> dict[str, str]:
        """Params captured by the matched route pattern, percent-decoded."""
        return self._request.path_params

    @property
    def query_params(self) -> dict[str, str]:
        """The parsed query string; the last value wins for a repeated key."""
        return self._request.query_params

    @property
    def headers(self) -> dict[str, str]:
        """Request headers with lower-case names; repeated headers joined with ", "."""
        return self._request.headers

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies of the Cookie header(s) as they arrived."""
        return self._request.cookies

    def query_list(self, name: str) -> list[str]:
        """Every value of a repeated query key, in order."""
        return self._request.query_list(name)

    def header_list(self, name: str) -> list[str]:
        """Every value of a repeated header, one per line as it arrived."""
        return self._request.header_list(name)

    @property
    def client(self) -> str:
        """The peer as "ip:port"."""
        return self._request.client

    @property
    def client_cert(self) -> str | None:
        """Subject of the verified client certificate on a mutual-TLS listener, else None."""
        return self._request.client_cert

    @property
    def trace_id(self) -> str | None:
        """The W3C trace id of the upgrade request's trace, or None when tracing is off."""
        return self._request.trace_id

    @property
    def span_id(self) -> str | None:
        """The id of the upgrade request's server span, or None when tracing is off."""
        return self._request.span_id

    @property
    def span(self) -> MockSpan:
        """The upgrade request's span."""
        return self._request.span

    def header(self, name: str) -> str | None:
        """One header's value by case-insensitive name, or None."""
        return self._request.header(name)

    async def accept(self, subprotocol: str | None = None, headers: dict[str, str] | None = None) -> None:
        """Accepts the upgrade with the chosen subprotocol and extra response headers."""
        if self._state == "accepted" or self._state == "closed":
            raise RuntimeError("ws.accept() was already called")
        if self._state == "refused":
            raise RuntimeError("ws.accept() after the upgrade was closed or answered (request_timeout_ms passed, or ws.close() came first)")
        self._state = "accepted"
        self._outgoing.put_nowait(("accept", subprotocol, dict(headers or {})))

    async def receive(self) -> str | bytes:
        """The next message: str for a text message, bytes for a binary one; WebSocketDisconnect when the peer closes."""
        if self._state == "new" or self._state == "refused":
            raise RuntimeError("ws.receive() before ws.accept()")
        if self._receiving:
            raise RuntimeError("ws.receive() is already waiting in another task: read a websocket from one task at a time")
        if self._close is not None:
            raise WebSocketDisconnect(*self._close)
        self._receiving = True
        try:
            item = await self._incoming.get()
        finally:
            self._receiving = False
        if isinstance(item, tuple):  # the peer's close frame: answered, then reported
            self._closed(item[0], item[1], reply=True)
            raise WebSocketDisconnect(*item)
        size = len(item.encode()) if isinstance(item, str) else len(item)
        if size > self._max_message_bytes:
            self._closed(1009, "message too big", reply=True)
            raise WebSocketDisconnect(1009, f"a message passed max_message_bytes ({self._max_message_bytes})")
        return item

    async def send(self, message: str | bytes) -> None:
        """Sends a str as a text message or bytes as a binary one; WebSocketDisconnect when the socket is closed."""
        if self._state == "new" or self._state == "refused":
            raise RuntimeError("ws.send() before ws.accept()")
        if not isinstance(message, (str, bytes, bytearray)):
            raise TypeError(f"ws.send() message: expected bytes or str, got {type(message).__name__}")
        if self._close is not None:
            raise WebSocketDisconnect(*self._close)
        self._outgoing.put_nowait(("message", bytes(message) if isinstance(message, bytearray) else message))
        await asyncio.sleep(0)  # as on the host, a send yields to the loop

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Closes with code and reason; before accept() it refuses the upgrade (403)."""
        if code != 1000 and not 3000 <= code <= 4999 and not 1001 <= code <= 1014 or code in (1004, 1005, 1006):
            raise ValueError(f"ws.close(code={code}): a close code is 1000, 1001-1003, 1007-1014 or 3000-4999")
        if len(reason.encode()) > 123:
            raise ValueError("ws.close(reason=...): at most 123 bytes of UTF-8 fit in a close frame")
        if self._state == "new":
            self._state = "refused"
            return
        if self._close is None:
            self._closed(code, reason, reply=True)

    def __aiter__(self) -> MockWebSocket:
        """Returns the websocket itself: ``async for msg in ws`` receives until the peer closes."""
        return self

    async def __anext__(self) -> str | bytes:
        """The next message; StopAsyncIteration when the peer closes normally (1000, 1001, 1005)."""
        try:
            return await self.receive()
        except WebSocketDisconnect as e:
            if e.code in (1000, 1001, 1005):
                raise StopAsyncIteration from None
            raise

    def _closed(self, code: int, reason: str, reply: bool) -> None:
        self._close = (code, reason)
        self._state = "closed"
        if reply:
            self._outgoing.put_nowait(("close", code, reason))


# --------------------------------------------------------------------------
# Response


class MockResponse:
    """An HTTP response: returned by handlers and middleware, and by Client calls."""

    def __init__(self, status: int = 200, headers: Headers | None = None, body: Body | StreamedBody | None = None) -> None:
        """status 100-599 (else ValueError); headers a dict or a list of (name, value) pairs (a name
        may repeat), names/values without CR/LF; body bytes, str (UTF-8), None, or an async iterable
        of bytes/str (streamed; .body then raises RuntimeError)."""
        self._status = _checked_status(status)
        self._lines = _messages.lines_of(headers)
        self._stream = body if _convert.is_async_iterable(body) else None
        self._streamed = self._stream is not None
        self._body = b"" if self._stream is not None else _convert.to_body(body)
        self._view: dict[str, str] | None = None

    @classmethod
    def _made(cls, status: int, lines: list[tuple[str, str]], body: bytes, stream: object = None) -> "MockResponse":
        out = cls.__new__(cls)
        out._status, out._lines, out._body, out._stream = status, lines, body, stream
        out._streamed, out._view = stream is not None, None
        return out

    @property
    def status(self) -> int:
        """The status code."""
        return self._status

    @property
    def headers(self) -> dict[str, str]:
        """The headers, read-only: a repeated name's lines joined with ", " under its first spelling; change them with replace()."""
        if self._view is None:
            self._view = _messages.ResponseHeaders(_messages.joined(self._lines))
        return self._view

    @property
    def body(self) -> bytes:
        """The body as bytes; RuntimeError for a streamed body (use replace() or stream())."""
        if self._streamed:
            raise RuntimeError(
                "this Response's body is streamed, so it has no bytes to read: change its status or headers "
                "with resp.replace(status=..., headers=...), which keeps the stream, or read its chunks with "
                "`async for chunk in resp.stream()`")
        return self._body

    def json(self) -> Any:
        """The body parsed as JSON (an upstream answer); invalid JSON raises ValueError; a streamed body RuntimeError."""
        return _parse_json(self.body, "resp.json()", False)

    @property
    def is_streamed(self) -> bool:
        """True when the body is streamed from an async iterable."""
        return self._streamed

    def replace(self, status: int | None = None, headers: Headers | None = None,
                body: Body | StreamedBody | None = None) -> "MockResponse":
        """A copy with what is given replaced and the rest kept, a streamed body included (it moves to the copy)."""
        new_status = self._status if status is None else _checked_status(status)
        lines = self._lines if headers is None else _messages.merge(
            self._lines, _messages.lines_of(headers), isinstance(headers, Mapping))
        if body is not None:
            if _convert.is_async_iterable(body):
                return MockResponse._made(new_status, lines, b"", body)
            return MockResponse._made(new_status, lines, _convert.to_body(body))
        if not self._streamed:
            return MockResponse._made(new_status, lines, self._body)
        return MockResponse._made(new_status, lines, b"", self._take_stream("replace()"))

    def stream(self) -> "AsyncIterator[bytes]":
        """The body as an async iterator of bytes chunks: a streamed body's chunks (taken, once), else the buffered body as one chunk."""
        if not self._streamed:
            return MockBodyStream([self._body] if self._body else [])
        return _messages.chunks(self._take_stream("stream()"))

    def with_cookie(self, name: str, value: str, *, max_age: int | None = None, expires: int | str | None = None,
                    path: str | None = "/", domain: str | None = None, secure: bool = False, httponly: bool = True,
                    samesite: str | None = "lax") -> "MockResponse":
        """A copy with one more Set-Cookie line (everything else kept); expires: seconds from now or an HTTP date."""
        return self._with_line(_messages.set_cookie(name, value, max_age, expires, path, domain, secure, httponly, samesite))

    def without_cookie(self, name: str, *, path: str | None = "/", domain: str | None = None, secure: bool = False,
                       httponly: bool = True, samesite: str | None = "lax") -> "MockResponse":
        """A copy with a Set-Cookie line that deletes the cookie (empty, expired, max-age 0)."""
        return self._with_line(_messages.set_cookie(name, "", 0, "Thu, 01 Jan 1970 00:00:00 GMT", path, domain, secure,
                                                    httponly, samesite))

    def _with_line(self, line: str) -> "MockResponse":
        lines = [*self._lines, ("set-cookie", line)]
        if self._streamed:
            return MockResponse._made(self._status, lines, b"", self._take_stream("with_cookie()"))
        return MockResponse._made(self._status, lines, self._body)

    def _take_stream(self, what: str) -> Any:
        stream, self._stream = self._stream, None
        if stream is None:
            raise RuntimeError(
                f"resp.{what}: this Response's streamed body was already taken (sent, or moved on by replace() "
                "or stream()); use the Response that replace() returned")
        return stream

    def raise_for_status(self) -> "MockResponse":
        """Raise HttpStatusError if status >= 400; otherwise return this response."""
        if self._status >= 400:
            raise HttpStatusError(self)
        return self


def _checked_status(status: object) -> int:
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not 100 <= status <= 599:
        raise ValueError(f"status {status} is outside 100-599")
    return status


# --------------------------------------------------------------------------
# Client


class MockClient:
    """An outbound HTTP client: named (clients.<name> in http.yaml) or inline (base_url and options)."""

    def __init__(
        self,
        name: str | None = None,
        *,
        base_url: str | None = None,
        verify: str | None = None,
        cert: str | tuple[str, str] | list[str] | None = None,
        timeout_ms: int | None = None,
        http2_prior_knowledge: bool = False,
    ) -> None:
        """A named client, or an inline one. The name is checked at the first call (UnknownClientError
        naming the configured clients), so a module-level http.Client("name") imported before any
        harness exists works."""
        if name is not None:
            if not isinstance(name, str):
                raise TypeError(f"client name must be a str, not {type(name).__name__}")
            inline = [
                k
                for k, v in (
                    ("base_url", base_url),
                    ("verify", verify),
                    ("cert", cert),
                    ("timeout_ms", timeout_ms),
                )
                if v is not None
            ]
            if http2_prior_knowledge:
                inline.append("http2_prior_knowledge")
            if inline:
                raise TypeError(
                    f"client {name!r} is configured in http.yaml; "
                    f"do not also pass {', '.join(inline)}"
                )
        elif base_url is not None and not isinstance(base_url, str):
            raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
        self._name = name
        self._base_url = base_url
        self._harness = _state.current_harness()

    @property
    def name(self) -> str | None:
        """The configured client's name, or None for an inline client."""
        return self._name

    @property
    def base_url(self) -> str | None:
        """The base URL relative paths join onto, or None."""
        if self._name is None:
            return self._base_url
        harness = _state.current_harness() or self._harness
        return _state.configured_base_url(harness, self._name)

    async def get(self, path: str, *, headers: Headers | None = None) -> MockResponse:
        """GET path (joined onto base_url unless absolute)."""
        return await self._send("GET", path, None, headers)

    async def delete(self, path: str, *, headers: Headers | None = None) -> MockResponse:
        """DELETE path."""
        return await self._send("DELETE", path, None, headers)

    async def post(self, path: str, *, body: Body | None = None, headers: Headers | None = None) -> MockResponse:
        """POST body (bytes or str) to path."""
        return await self._send("POST", path, body, headers)

    async def put(self, path: str, *, body: Body | None = None, headers: Headers | None = None) -> MockResponse:
        """PUT body (bytes or str) to path."""
        return await self._send("PUT", path, body, headers)

    async def patch(self, path: str, *, body: Body | None = None, headers: Headers | None = None) -> MockResponse:
        """PATCH body (bytes or str) to path."""
        return await self._send("PATCH", path, body, headers)

    def stream(self, method: str, path: str, *, headers: Headers | None = None,
               body: Body | StreamedBody | None = None) -> "MockClientStream":
        """A streamed call: `async with client.stream("GET", path) as resp:`; body bytes, str or an async iterable."""
        if not isinstance(method, str) or not method or any(c in method for c in " \r\n"):
            raise ValueError(f"method must be an HTTP method name, got {method!r}")
        if body is not None and not _convert.is_async_iterable(body):
            _convert.to_body(body)
        return MockClientStream(self, method.upper(), path, headers, body)

    async def __aenter__(self) -> MockClient:
        """`async with http.Client(...) as c:` yields the client itself."""
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        """Releases the client; exceptions propagate."""
        return None

    async def _send(self, method, path, body, headers):
        # Private: build the record, let the harness answer. Yields to the loop
        # once, as real I/O would.
        if not isinstance(path, str):
            raise TypeError(f"path must be a str, not {type(path).__name__}")
        sent_headers = _convert.response_headers(headers)
        sent_body = None if body is None else _convert.to_body(body)
        harness = _state.current_harness() or self._harness
        if self._name is None:
            base_url, who = self._base_url, "inline client"
        elif harness is None:
            base_url, who = None, f"client {self._name!r}"
        else:
            base_url, who = harness._client_base_url(self._name), f"client {self._name!r}"
        if harness is None:
            raise ConnectError(f"{method} {path}: no HttpTestHarness is running, nothing can answer")
        url = _join_url(base_url, path, who)
        record = {
            "method": method,
            "path": urlsplit(url).path or "/",
            "url": url,
            "name": self._name,
            "base_url": base_url,
            "headers": sent_headers,
            "body": sent_body,
        }
        await asyncio.sleep(0)
        return harness._answer(record, path)


class MockClientStream:
    """A streamed outbound call, used as an async context manager. Only the mock constructs one."""

    def __init__(self, client: MockClient, method: str, path: str, headers: Headers | None,
                 body: Body | StreamedBody | None) -> None:
        """Made by MockClient.stream()."""
        self._client = client
        self._method = method
        self._path = path
        self._headers = headers
        self._body = body
        self._entered = False

    async def __aenter__(self) -> "MockStreamedResponse":
        """Sends the request (an async iterable body is drained into the recorded request); resolves to the response."""
        if self._entered:
            raise RuntimeError("a client.stream() call can be entered once")
        self._entered = True
        body = self._body
        if _convert.is_async_iterable(body):
            body = b"".join([_convert.to_body(c, "a streamed body's chunk") async for c in body])
        answer = await self._client._send(self._method, self._path, body, self._headers)
        return MockStreamedResponse(answer.status, answer.headers, answer._stream if answer._stream is not None else
                                    [answer.body[i:i + 65536] for i in range(0, len(answer.body), 65536)])

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        """Releases the response; exceptions propagate."""
        return None


class MockStreamedResponse:
    """The response of a client.stream() call: status and headers, the body through aiter_bytes(). Only the mock constructs one."""

    def __init__(self, status: int, headers: Mapping[str, str], chunks: Iterable[Body] | AsyncIterable[Body]) -> None:
        """Made by MockClientStream.__aenter__."""
        self._status = status
        self._headers = dict(headers)
        self._chunks = chunks
        self._iterated = False

    @property
    def status(self) -> int:
        """The status code."""
        return self._status

    @property
    def headers(self) -> dict[str, str]:
        """The response headers, lower-case names."""
        return dict(self._headers)

    def aiter_bytes(self) -> "MockBodyStream":
        """The body as an async iterator of bytes chunks (once)."""
        if self._iterated:
            raise RuntimeError("resp.aiter_bytes() can be read once")
        self._iterated = True
        return MockBodyStream(self._chunks)


def _join_url(base_url, path, who="client"):
    """The join rule, shared with the runtime: an absolute URL is used as is;
    otherwise path is appended to base_url with exactly one "/" between them,
    keeping base_url's own path prefix (``http://h/api`` + ``/v1/x`` →
    ``http://h/api/v1/x``). An empty path means base_url itself; a relative
    path on a client without base_url is a ClientError naming the client."""
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, not {type(path).__name__}")
    parts = urlsplit(path)
    if parts.scheme in ("http", "https") and parts.netloc:
        return path
    if base_url is None:
        raise ClientError(f"{who} has no base_url, so {path!r} must be an absolute http:// or https:// URL")
    if path == "":
        return base_url
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def read_multipart(req: MockRequest) -> AsyncIterator[Any]:
    """A multipart/form-data body part by part as it arrives (for a stream=True route): each part's name, filename,
    content_type, headers, and its bytes through `async for chunk in part` or `await part.read()`; BadRequestError
    for a body that is not multipart or is malformed."""
    from siphon_sdk import _multipart

    return _multipart.read(req, BadRequestError)


# --------------------------------------------------------------------------
# decorators


def _where(depth):
    frame = sys._getframe(depth + 1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _check_callable(fn, what):
    if not callable(fn):
        raise TypeError(f"@http.{what} must decorate a function, not {type(fn).__name__}")


def route(path: str, methods: Sequence[str] | None = None, stream: bool = False) -> Callable[[_F], _F]:
    """Register the decorated function as the handler of path for methods (default ["GET"], upper-cased);
    stream=True: an async def handler called before the body is read, which reads req.stream()."""
    where = _where(1)
    try:
        segments = _routing.parse_pattern(path)
        verbs = _routing.normalize_methods(methods)
    except (TypeError, ValueError) as exc:
        raise _routing.RouteError(f"{where}: {exc}") from None

    def decorator(fn: _F) -> _F:
        _check_callable(fn, "route")
        if stream and not (inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))):
            raise TypeError(
                f"{where}: @http.route({path!r}, stream=True) needs an async def handler: "
                "its body is read with `async for chunk in req.stream()`"
            )
        harness = _state.current_harness()
        if harness is not None:
            harness._register("route", _routing.Route(path, segments, verbs, fn, where, stream=bool(stream)))
        return fn

    return decorator


def websocket(path: str) -> Callable[[_F], _F]:
    """Register the decorated ``async def handler(ws)`` for websocket upgrades of path (GET). Guards run
    on the upgrade request; never accepting answers 403, returning closes with 1000, raising with 1011."""
    where = _where(1)
    try:
        segments = _routing.parse_pattern(path)
    except (TypeError, ValueError) as exc:
        raise _routing.RouteError(f"{where}: {exc}") from None

    def decorator(fn: _F) -> _F:
        _check_callable(fn, "websocket")
        if not (inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))):
            raise TypeError(f"{where}: @http.websocket({path!r}) needs an async def handler(ws): "
                            "it awaits ws.accept(), ws.receive() and ws.send()")

        async def entry(ws):
            try:
                await fn(ws)
            except WebSocketDisconnect:
                pass  # the socket is closed already (the peer left, or 1009): an end, not an error
            # Seen only when the socket was never accepted: the upgrade is refused (as on the host).
            return MockResponse(403, {"content-type": "text/plain; charset=utf-8"}, b"Forbidden\n")

        entry.__qualname__ = getattr(fn, "__qualname__", entry.__qualname__)
        entry.__wrapped__ = fn
        harness = _state.current_harness()
        if harness is not None:
            harness._register("route", _routing.Route(path, segments, ("GET",), entry, where, websocket=True))
        return fn

    return decorator


def middleware(fn: _F) -> _F:
    """Register a middleware, run in registration order around the matched route: ``(req)`` is a guard
    (return a Response to answer, None to go on); ``(req, call_next)`` wraps the rest of the chain."""
    where = _where(1)
    _check_callable(fn, "middleware")
    wraps = _wraps(fn, where)
    harness = _state.current_harness()
    if harness is not None:
        harness._register("middleware", (fn, wraps))
    return fn


def _wraps(fn, where):
    """As the runtime decides: parameters without a default, 1 → guard, 2 → wrapper; else TypeError naming the line."""
    import inspect

    what = f"{where}: @http.middleware {getattr(fn, '__qualname__', repr(fn))}"
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: cannot read its parameters ({e})") from None
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    variadic = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)
    if not variadic and all(p.kind != p.KEYWORD_ONLY for p in required) and len(required) in (1, 2):
        return len(required) == 2
    shown = ", ".join(p.name for p in params)
    raise TypeError(f"{what}({shown}) must take (req) to guard or (req, call_next) to wrap")


def on_startup(fn: _F) -> _F:
    """Register a function run once, to completion, after the script loads and before serving."""
    _check_callable(fn, "on_startup")
    harness = _state.current_harness()
    if harness is not None:
        harness._register("startup", fn)
    return fn


def on_shutdown(fn: _F) -> _F:
    """Register a function run once on graceful shutdown, after in-flight requests finish."""
    _check_callable(fn, "on_shutdown")
    harness = _state.current_harness()
    if harness is not None:
        harness._register("shutdown", fn)
    return fn


# What a wrapper's call_next is, for annotations: `async def w(req: Request, call_next: CallNext)`.
CallNext = Callable[[MockRequest], Awaitable[MockResponse]]
# A plain (def) wrapper's call_next, which returns the Response itself.
SyncCallNext = Callable[[MockRequest], MockResponse]

# The runtime's names for the same types.
Request = MockRequest
Response = MockResponse
Client = MockClient
BodyStream = MockBodyStream
ClientStream = MockClientStream
StreamedResponse = MockStreamedResponse
Span = MockSpan
WebSocket = MockWebSocket
