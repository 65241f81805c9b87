"""The ``http`` namespace: request, response and client types, the decorators that register
handlers, and the exceptions scripts can catch."""
from typing import Any, AsyncIterable, Iterable, Iterator, AsyncIterator, Awaitable, Callable, Mapping, Sequence, TypeVar, overload

# What each decorator accepts, so a type checker flags a handler that cannot work (e.g. one that
# returns a dict instead of a Response) at the decorator; each returns the function unchanged.
# middleware has one overload per form (the guard's last: a checker explains a failed match by the
# last overload, and a guard that returns the wrong thing is the common mistake).
_Handler = TypeVar("_Handler", bound=Callable[[Request], Response | Awaitable[Response]])
_Guard = TypeVar("_Guard", bound=Callable[[Request], Response | None | Awaitable[Response | None]])
# A wrapper's call_next, public for annotations (``async def w(req: Request, call_next: CallNext)``):
# awaited in an ``async def`` wrapper; a ``def`` wrapper's returns the Response itself.
CallNext = Callable[[Request], Awaitable[Response]]
SyncCallNext = Callable[[Request], Response]
_AsyncWrapper = TypeVar("_AsyncWrapper", bound=Callable[[Request, CallNext], Awaitable[Response]])
_SyncWrapper = TypeVar("_SyncWrapper", bound=Callable[[Request, SyncCallNext], Response])
_Hook = TypeVar("_Hook", bound=Callable[[], object])
_WebSocketHandler = TypeVar("_WebSocketHandler", bound=Callable[[WebSocket], Awaitable[None]])

class BodyStream:
    """An async iterator over a body's bytes chunks, as they arrive (`async for chunk in ...`)."""
    def __aiter__(self) -> BodyStream:
        """Returns the iterator itself."""
    async def __anext__(self) -> bytes:
        """The next chunk of bytes; raises StopAsyncIteration at the end of the body."""


class Client:
    """An outbound HTTP client: a named one from http.yaml's clients, or an inline one."""
    def __init__(self, name: str | None = None, *, base_url: str | None = None, verify: str | None = None, cert: str | tuple[str, str] | list[str] | None = None, timeout_ms: int | None = None, http2_prior_knowledge: bool = False) -> None:
        """A named client (clients.NAME in http.yaml, sharing its pool) or, without a name, an inline client for one-offs. cert is a (cert, key) pair or one combined PEM path."""
    @property
    def name(self) -> str | None:
        """The configured client's name, or None for an inline client."""
    @property
    def base_url(self) -> str | None:
        """The base URL relative paths join onto, or None."""
    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        """GET path; resolves to an http.Response."""
    async def delete(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        """DELETE path; resolves to an http.Response."""
    async def post(self, path: str, *, body: bytes | str | None = None, headers: dict[str, str] | None = None) -> Response:
        """POST body (bytes, or str as UTF-8) to path; resolves to an http.Response."""
    async def put(self, path: str, *, body: bytes | str | None = None, headers: dict[str, str] | None = None) -> Response:
        """PUT body (bytes, or str as UTF-8) to path; resolves to an http.Response."""
    async def patch(self, path: str, *, body: bytes | str | None = None, headers: dict[str, str] | None = None) -> Response:
        """PATCH body (bytes, or str as UTF-8) to path; resolves to an http.Response."""
    async def __aenter__(self) -> Client:
        """`async with` support: returns the client."""
    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        """`async with` support: an inline client closes its connections; a named one stays pooled."""
    def stream(self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | str | AsyncIterable[bytes | str] | None = ...) -> ClientStream:
        """A streamed call, used as `async with client.stream(method, path) as resp:`; the body arrives through resp.aiter_bytes() as it is read. body may be bytes, str, or an async iterable of bytes/str sent as it is produced. The client's timeout covers the response head."""


class ClientStream:
    """A streamed outbound call: `async with client.stream(method, path) as resp:`."""
    async def __aenter__(self) -> StreamedResponse:
        """Sends the request; resolves to the response once its head is in."""
    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        """Releases the response and its connection; exceptions raised in the block propagate."""


class Request:
    """An incoming HTTP request, as routed to a handler."""
    @property
    def method(self) -> str:
        """The request method, upper case."""
    @property
    def path(self) -> str:
        """The decoded path, without the query string."""
    @property
    def path_params(self) -> dict[str, str]:
        """Parameters captured by the matched route pattern, URL-decoded."""
    @property
    def query_params(self) -> dict[str, str]:
        """The parsed query string; for a repeated key the last value wins."""
    @property
    def cookies(self) -> dict[str, str]:
        """The cookies of the Cookie header(s), as they arrived: name to value (surrounding double quotes removed); for a repeated name the first wins (the most specific path)."""
    @property
    def headers(self) -> dict[str, str]:
        """Request headers with lower-case names; repeated headers joined with ", "."""
    @property
    def client(self) -> str:
        """"ip:port" of the peer, or the left-most X-Forwarded-For entry when the peer is a trusted proxy."""
    @property
    def client_cert(self) -> str | None:
        """Subject of the verified client certificate on a mutual-TLS listener, else None."""
    @property
    def trace_id(self) -> str | None:
        """The W3C trace id (32 hex digits) of the request's trace, or None when tracing is off."""
    @property
    def span_id(self) -> str | None:
        """The id (16 hex digits) of the request's server span, the parent of its http.Client calls' spans, or None when tracing is off."""
    @property
    def span(self) -> Span:
        """The request's span: add attributes and events to it (they do nothing when tracing is off)."""
    def body(self) -> bytes:
        """The buffered request body. On a stream=True route it raises RuntimeError: read req.stream() there."""
    def json(self) -> Any:
        """The body parsed as JSON. Invalid JSON raises http.BadRequestError (a ValueError, answered 400 if the handler lets it go); on a stream=True route RuntimeError."""
    def form(self) -> FormData:
        """The body read as a form (application/x-www-form-urlencoded or multipart/form-data) into an http.FormData; file parts are http.UploadFile. A body that is not a form, is malformed or passes a limit (1000 fields, 1 MiB a field) raises http.BadRequestError; on a stream=True route RuntimeError."""
    def stream(self) -> BodyStream:
        """The body as an async iterator of bytes chunks: as it arrives on a stream=True route (once), else the buffered body as one chunk."""
    def header(self, name: str) -> str | None:
        """One header's value by case-insensitive name, or None. It reads req.headers, so a middleware's change to that dict is what it returns."""
    def query_list(self, name: str) -> list[str]:
        """Every value of a repeated query key, in order: those of the query string, unless req.query_params[name] was changed by the script (then that one value; [] when removed)."""
    def header_list(self, name: str) -> list[str]:
        """Every value of a repeated header (case-insensitive name), one per line as it arrived, unless req.headers[name] was changed by the script (then that one value; [] when removed)."""


class Response:
    """An HTTP response: status, headers and a body of bytes, or a body streamed from an async iterable."""
    def __init__(self, status: int = 200, headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = ..., body: bytes | str | AsyncIterable[bytes | str] | None = ...) -> None:
        """Builds a response; headers are a dict or a list of (name, value) pairs (a name may repeat: two Set-Cookie lines); a str body is encoded as UTF-8; an async iterable (or async generator) of bytes/str is streamed to the client as it is produced. A status outside 100-599 or a header name or value containing CR or LF raises ValueError."""
    @property
    def status(self) -> int:
        """The status code."""
    @property
    def headers(self) -> dict[str, str]:
        """The response headers, read-only: a dict[str, str] in which a repeated name's lines are joined with ", " under its first spelling. Change them with replace()."""
    @property
    def body(self) -> bytes:
        """The body as bytes. For a streamed response it raises RuntimeError: keep the stream with resp.replace(...) or read it with resp.stream()."""
    @property
    def is_streamed(self) -> bool:
        """True when the body is streamed from an async iterable (then .body raises; use stream())."""
    def json(self) -> Any:
        """The body parsed as JSON (an upstream's answer, say). Invalid JSON raises ValueError; a streamed body RuntimeError."""
    def replace(self, status: int | None = None, headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = ..., body: bytes | str | AsyncIterable[bytes | str] | None = ...) -> Response:
        """A copy with what is given replaced and the rest kept, a streamed body included (it moves to the copy). headers: a dict or a list of (name, value) pairs; a dict entry whose value is a repeated name's joined value from .headers keeps that name's lines (two Set-Cookie lines stay two). None keeps the status, the headers or the body."""
    def stream(self) -> AsyncIterator[bytes]:
        """The body as an async iterator of bytes chunks: a streamed body's chunks as its producer makes them (taken from this response, once: return resp.replace(body=...) with what you make of them), else the buffered body as one chunk."""
    def with_cookie(self, name: str, value: str, *, max_age: int | None = None, expires: int | str | None = ..., path: str | None = "/", domain: str | None = None, secure: bool = False, httponly: bool = True, samesite: str | None = "lax") -> Response:
        """A copy with one more Set-Cookie line (the body, streamed or not, and every other header kept). max_age in seconds; expires an int (seconds from now) or an HTTP date. Defaults: path "/", samesite "lax", httponly True (scripts rarely need a cookie JavaScript can read), secure False (so it works on plain http in development: pass secure=True in production)."""
    def without_cookie(self, name: str, *, path: str | None = "/", domain: str | None = None, secure: bool = False, httponly: bool = True, samesite: str | None = "lax") -> Response:
        """A copy with a Set-Cookie line that deletes the cookie (empty, expired, max-age 0); path and domain must be those it was set with."""
    def raise_for_status(self) -> Response:
        """Raises http.HttpStatusError for a status of 400 or more; returns the response otherwise."""


class Span:
    """The request's span in the trace: add attributes and events to it."""
    @property
    def is_recording(self) -> bool:
        """True when what is added is recorded (tracing is on and this request's trace is sampled)."""
    def set_attribute(self, key: str, value: str | int | float | bool) -> None:
        """Sets an attribute on the span; value is str, int, float or bool (a later value for the same key replaces it)."""
    def add_event(self, name: str, attributes: dict[str, str | int | float | bool] | None = ...) -> None:
        """Adds a timestamped event to the span, with optional attributes (values str, int, float or bool)."""


class StreamedResponse:
    """The response of a client.stream() call: status and headers now, the body through aiter_bytes()."""
    @property
    def status(self) -> int:
        """The status code."""
    @property
    def headers(self) -> dict[str, str]:
        """The response headers, lower-case names."""
    def aiter_bytes(self) -> BodyStream:
        """The body as an async iterator of bytes chunks, read as they arrive (once)."""


class WebSocket:
    """A websocket of an @http.websocket route: the upgrade request's members, then accept(), receive() / `async for`, send() and close()."""
    @property
    def method(self) -> str:
        """The upgrade request's method: GET (an HTTP/2 extended CONNECT is shown as GET too)."""
    @property
    def path(self) -> str:
        """The decoded path, without the query string."""
    @property
    def path_params(self) -> dict[str, str]:
        """Parameters captured by the matched route pattern, URL-decoded."""
    @property
    def query_params(self) -> dict[str, str]:
        """The parsed query string; for a repeated key the last value wins."""
    @property
    def cookies(self) -> dict[str, str]:
        """The cookies of the Cookie header(s): name to value; for a repeated name the first wins."""
    @property
    def headers(self) -> dict[str, str]:
        """Request headers with lower-case names; repeated headers joined with ", "."""
    @property
    def client(self) -> str:
        """"ip:port" of the peer, or the left-most X-Forwarded-For entry when the peer is a trusted proxy."""
    @property
    def client_cert(self) -> str | None:
        """Subject of the verified client certificate on a mutual-TLS listener, else None."""
    @property
    def trace_id(self) -> str | None:
        """The W3C trace id of the upgrade request's trace, or None when tracing is off."""
    @property
    def span_id(self) -> str | None:
        """The id of the upgrade request's server span, or None when tracing is off."""
    @property
    def span(self) -> Span:
        """The upgrade request's span (its attributes and events do nothing when tracing is off)."""
    def header(self, name: str) -> str | None:
        """One header's value by case-insensitive name, or None (reads ws.headers)."""
    def query_list(self, name: str) -> list[str]:
        """Every value of a repeated query key, in order."""
    def header_list(self, name: str) -> list[str]:
        """Every value of a repeated header (case-insensitive name), one per line as it arrived."""
    async def accept(self, subprotocol: str | None = None, headers: dict[str, str] | None = None) -> None:
        """Accepts the upgrade (101, or 200 on HTTP/2) with the chosen subprotocol and extra response headers. A handler that returns without accepting answers 403."""
    async def receive(self) -> str | bytes:
        """The next message: str for a text message, bytes for a binary one. Raises http.WebSocketDisconnect (.code, .reason) when the peer closes or goes away."""
    async def send(self, message: str | bytes) -> None:
        """Sends a str as a text message or bytes as a binary one; completes when the socket has taken it. Raises http.WebSocketDisconnect when the socket is closed."""
    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Closes the socket with the code and reason; before accept() it refuses the upgrade (403)."""
    def __aiter__(self) -> WebSocket:
        """Returns the websocket itself: `async for msg in ws` receives until the peer closes."""
    async def __anext__(self) -> str | bytes:
        """The next message; raises StopAsyncIteration when the peer closes normally (1000, 1001 or no code) and http.WebSocketDisconnect for any other close."""

class HttpStatusError(RuntimeError):
    """Raised by ``Response.raise_for_status()`` for a status of 400 or more."""
    @property
    def response(self) -> Response:
        """The response whose status was 400 or more."""
        ...
    @property
    def status(self) -> int:
        """That response's status code."""
        ...

class ClientError(RuntimeError):
    """An outbound ``http.Client`` call failed before a response arrived."""

class ConnectError(ClientError):
    """The upstream refused or dropped the connection, or its name did not resolve."""

class ClientTimeoutError(ClientError, TimeoutError):
    """The upstream did not answer within the client's timeout."""

class TlsError(ClientError):
    """The TLS handshake with the upstream failed (untrusted chain, bad client certificate, ...)."""

class UnknownClientError(ClientError, KeyError):
    """``http.Client(name)`` names no client configured under http.yaml's ``clients``."""

class BodyTooLargeError(RuntimeError):
    """Raised by ``req.stream()`` on a ``stream=True`` route when the body passes the listener's
    ``max_body_bytes``; the client gets 413 unless the handler answers otherwise."""

class HTTPException(Exception):
    """Raised from a guard, wrapper or handler: the request is answered with ``status``, the
    ``headers`` (a dict or (name, value) pairs) and ``detail`` (default: the status's reason
    phrase) as a short text/plain line. A wrapper's ``call_next`` returns that answer."""
    status: int
    detail: str
    headers: Mapping[str, str] | Sequence[tuple[str, str]] | None
    def __init__(self, status: int, detail: str = "", headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> None: ...
    @property
    def status_code(self) -> int:
        """Starlette's name for ``status``."""
        ...

class BadRequestError(HTTPException, ValueError):
    """The request's body is not what was asked for (``req.json()`` of invalid JSON, ``req.form()``
    of a body that is not a form): a ``ValueError`` that, if the handler lets it go, answers 400
    with the message."""
    def __init__(self, detail: str = "") -> None: ...

class WebSocketDisconnect(Exception):
    """Raised by ``ws.receive()`` (and ``ws.send()``) when the peer has closed the websocket
    (``code`` from its close frame, 1005 when it sent none) or gone away without one (1006), and
    when a message passed ``max_message_bytes`` (1009). ``async for msg in ws`` ends quietly on
    1000, 1001 and 1005 instead."""
    code: int
    reason: str
    def __init__(self, code: int = 1000, reason: str = "") -> None: ...

def JSONResponse(content: Any, status: int = 200, headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> Response:
    """An ``http.Response`` whose body is ``content`` encoded as JSON (UTF-8, compact, NaN refused)
    with ``content-type: application/json`` unless ``headers`` names one."""
    ...

class UploadFile:
    """A file part of a ``multipart/form-data`` body (``req.form()``): its ``filename`` as the
    client sent it (never used as a path by the host: do not use it as one either), its
    ``content_type`` (``None`` when the part had none), ``size`` in bytes, and ``read()``."""
    def __init__(self, filename: str, content_type: str | None, data: bytes) -> None: ...
    @property
    def filename(self) -> str:
        """The filename as sent (Content-Disposition filename or filename*)."""
        ...
    @property
    def content_type(self) -> str | None:
        """The part's Content-Type, or None."""
        ...
    @property
    def size(self) -> int:
        """The file's size in bytes."""
        ...
    def read(self) -> bytes:
        """The file's bytes (the body is in memory on a buffered route)."""
        ...

class FormData:
    """``req.form()``: a form's fields in order, read like Starlette's: ``form[name]`` is the last
    value (``KeyError`` when absent), ``get(name, default=None)`` too, ``getlist(name)`` every value
    in order, iteration gives each name once. Values are ``str``, or ``UploadFile`` for file parts."""
    def __init__(self, items: Iterable[tuple[str, str | UploadFile]]) -> None: ...
    def __getitem__(self, name: str) -> str | UploadFile: ...
    def get(self, name: str, default: Any = None) -> Any:
        """The last value of ``name``, or ``default``."""
        ...
    def getlist(self, name: str) -> list[str | UploadFile]:
        """Every value of ``name``, in order (``[]`` when absent)."""
        ...
    def keys(self) -> list[str]:
        """Each name once, in the order of its first field."""
        ...
    def multi_items(self) -> list[tuple[str, str | UploadFile]]:
        """Every (name, value) pair, in order."""
        ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def __contains__(self, name: object) -> bool: ...

class MultipartPart:
    """One part of a streamed multipart body (``http.read_multipart``)."""
    name: str
    filename: str | None
    content_type: str | None
    headers: dict[str, str]
    def __init__(self, reader: object, headers: dict[str, str], name: str, filename: str | None) -> None:
        """Made by ``http.read_multipart``."""
        ...
    def __aiter__(self) -> MultipartPart: ...
    async def __anext__(self) -> bytes: ...
    async def read(self) -> bytes:
        """The rest of this part's bytes (this part only is held)."""
        ...

def read_multipart(req: Request) -> AsyncIterator[MultipartPart]:
    """A ``multipart/form-data`` body part by part as it arrives, for a ``stream=True`` route
    (``req.form()`` holds the whole body, so it refuses those): ``async for part in
    http.read_multipart(req):`` gives each part's ``name``, ``filename``, ``content_type`` and
    ``headers``, and ``async for chunk in part`` its bytes (or ``await part.read()``). Nothing is
    held beyond a part's headers; a part not read is skipped. A body that is not multipart, or is
    malformed, raises ``http.BadRequestError``."""
    ...

def route(path: str, methods: Sequence[str] | None = None, stream: bool = False) -> Callable[[_Handler], _Handler]:
    """Registers the decorated function as the handler for ``path``; ``methods`` defaults to
    ``["GET"]`` and is upper-cased. With ``stream=True`` the handler (an ``async def``) is called as
    soon as the headers are in and reads the body with ``async for chunk in req.stream()``.
    Returns the function unchanged."""
    ...

def websocket(path: str) -> Callable[[_WebSocketHandler], _WebSocketHandler]:
    """Registers the decorated ``async def handler(ws)`` for websocket upgrades of ``path`` (GET on
    HTTP/1.1, extended CONNECT on HTTP/2). Guards run first, on the upgrade request; the handler
    then awaits ``ws.accept()`` and exchanges messages. A handler that returns without accepting
    answers 403; one that returns after accepting closes the socket with 1000; one that raises,
    with 1011. Returns the function unchanged."""
    ...

@overload
def middleware(fn: _AsyncWrapper) -> _AsyncWrapper:
    """Registers a wrapper, ``async def (req, call_next)``: ``await call_next(req)`` runs the rest of
    the chain and the route (or the host's 404/405/413) and gives its ``Response``; the wrapper
    returns a ``Response``. Returns the function unchanged."""
    ...
@overload
def middleware(fn: _SyncWrapper) -> _SyncWrapper:
    """Registers a plain wrapper, ``def (req, call_next)``, run off the event loop: ``call_next(req)``
    returns the rest of the chain's ``Response``; the wrapper returns a ``Response``. Returns the
    function unchanged."""
    ...
@overload
def middleware(fn: _Guard) -> _Guard:
    """Registers a request guard, ``(req)``, run in registration order before the matched route. It
    returns a ``Response`` to answer at once or ``None`` to go on. Returns the function unchanged."""
    ...

def on_startup(fn: _Hook) -> _Hook:
    """Registers a hook run once, to completion, before any listener accepts."""
    ...

def on_shutdown(fn: _Hook) -> _Hook:
    """Registers a hook run once on graceful shutdown, after in-flight requests finish."""
    ...
