"""The ``http`` namespace: the bound C# types, the decorators that register handlers, and the
exceptions scripts can catch. The decorators only record what they are given (with the script
line that applied them); the host reads the records after the script has loaded and builds the
routing table in C#."""
import inspect as _inspect
import json as _json
import sys as _sys

from collections.abc import Awaitable as _Awaitable, Callable as _Callable

from siphon._multipart import MultipartPart
from siphon._native import BodyStream, Client, Request, Response, Span, WebSocket

__all__ = ["Request", "Response", "Client", "BodyStream", "Span", "WebSocket", "WebSocketDisconnect", "websocket", "CallNext", "SyncCallNext", "HttpStatusError", "ClientError", "ConnectError",
           "ClientTimeoutError", "TlsError", "UnknownClientError", "BodyTooLargeError", "HTTPException",
           "BadRequestError", "JSONResponse", "FormData", "UploadFile", "read_multipart", "MultipartPart", "route", "middleware", "on_startup", "on_shutdown"]

# What a wrapper's call_next is, for annotations: `async def w(req: Request, call_next: CallNext)`.
CallNext = _Callable[[Request], _Awaitable[Response]]
# A plain (def) wrapper's call_next, which returns the Response itself.
SyncCallNext = _Callable[[Request], Response]


# Both bases are RuntimeError because siphon-http raised RuntimeError for these failures: a ported
# script's `except RuntimeError:` keeps catching them.
class HttpStatusError(RuntimeError):
    """Raised by ``Response.raise_for_status()`` for a status of 400 or more."""

    response: Response
    status: int


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

    def __str__(self):
        # KeyError's own __str__ would quote the message.
        return RuntimeError.__str__(self)


class BodyTooLargeError(RuntimeError):
    """Raised by ``req.stream()`` on a ``stream=True`` route when the body passes the listener's
    ``max_body_bytes``; the client gets 413 unless the handler answers otherwise."""


class HTTPException(Exception):
    """Raised from a guard, wrapper or handler: the request is answered with ``status``, the
    ``headers`` (a dict or (name, value) pairs) and ``detail`` (default: the status's reason
    phrase) as a short text/plain line. A wrapper's ``call_next`` returns that answer."""

    def __init__(self, status: int, detail: str = "", headers=None) -> None:
        if isinstance(status, bool) or not isinstance(status, int):
            raise TypeError(f"status must be an int, not {type(status).__name__}")
        if not 100 <= status <= 599:
            raise ValueError(f"status must be within 100-599, got {status}")
        self.status = status
        self.detail = detail
        self.headers = headers
        super().__init__(status, detail)

    @property
    def status_code(self) -> int:
        """Starlette's name for ``status``."""
        return self.status

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}" if self.detail else str(self.status)


class BadRequestError(HTTPException, ValueError):
    """The request's body is not what was asked for (``req.json()`` of invalid JSON, ``req.form()``
    of a body that is not a form): a ``ValueError`` that, if the handler lets it go, answers 400
    with the message."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(400, detail)

    def __str__(self) -> str:
        """The detail alone, as a ValueError's message."""
        return self.detail


class WebSocketDisconnect(Exception):
    """Raised by ``ws.receive()`` (and ``ws.send()``) when the peer has closed the websocket
    (``code`` from its close frame, 1005 when it sent none) or gone away without one (1006), and
    when a message passed ``max_message_bytes`` (1009). ``async for msg in ws`` ends quietly on
    1000, 1001 and 1005 instead."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        super().__init__(code, reason)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}" if self.reason else str(self.code)


def JSONResponse(content, status: int = 200, headers=None) -> Response:
    """An ``http.Response`` whose body is ``content`` encoded as JSON (UTF-8, compact, NaN refused)
    with ``content-type: application/json`` unless ``headers`` names one."""
    body = _json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    if headers is None:
        return Response(status, {"content-type": "application/json"}, body)
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
    if not any(isinstance(p, (tuple, list)) and len(p) == 2 and str(p[0]).lower() == "content-type" for p in pairs):
        pairs.insert(0, ("content-type", "application/json"))
    return Response(status, pairs, body)


class UploadFile:
    """A file part of a ``multipart/form-data`` body (``req.form()``): its ``filename`` as the
    client sent it (never used as a path by the host: do not use it as one either), its
    ``content_type`` (``None`` when the part had none), ``size`` in bytes, and ``read()``."""

    __slots__ = ("_filename", "_content_type", "_data")

    def __init__(self, filename: str, content_type: str | None, data: bytes) -> None:
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
        return f"UploadFile(filename={self._filename!r}, content_type={self._content_type!r}, size={self.size})"


class FormData:
    """``req.form()``: a form's fields in order, read like Starlette's: ``form[name]`` is the last
    value (``KeyError`` when absent), ``get(name, default=None)`` too, ``getlist(name)`` every value
    in order, iteration gives each name once. Values are ``str``, or ``UploadFile`` for file parts."""

    __slots__ = ("_items",)

    def __init__(self, items) -> None:
        self._items = list(items)

    def __getitem__(self, name: str):
        for key, value in reversed(self._items):
            if key == name:
                return value
        raise KeyError(name)

    def get(self, name: str, default=None):
        """The last value of ``name``, or ``default``."""
        try:
            return self[name]
        except KeyError:
            return default

    def getlist(self, name: str) -> list:
        """Every value of ``name``, in order (``[]`` when absent)."""
        return [value for key, value in self._items if key == name]

    def keys(self) -> list[str]:
        """Each name once, in the order of its first field."""
        return list(dict.fromkeys(key for key, _ in self._items))

    def multi_items(self) -> list[tuple[str, object]]:
        """Every (name, value) pair, in order."""
        return list(self._items)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self._items)

    def __repr__(self) -> str:
        return f"FormData({self._items!r})"


def read_multipart(req):
    """A ``multipart/form-data`` body part by part as it arrives, for a ``stream=True`` route
    (``req.form()`` holds the whole body, so it refuses those): ``async for part in
    http.read_multipart(req):`` gives each part's ``name``, ``filename``, ``content_type`` and
    ``headers``, and ``async for chunk in part`` its bytes (or ``await part.read()``). Nothing is
    held beyond a part's headers; a part not read is skipped. A body that is not multipart, or is
    malformed, raises ``http.BadRequestError``."""
    from siphon import _multipart

    return _multipart.read(req, BadRequestError)


# Registrations, in order; each entry carries the file and line of the decorator.
_routes = []
_middleware = []
_startup = []
_shutdown = []


def _where(depth=2):
    frame = _sys._getframe(depth)
    return frame.f_code.co_filename, frame.f_lineno


def route(path: str, methods=None, stream=False):
    """Registers the decorated function as the handler for ``path``; ``methods`` defaults to
    ``["GET"]`` and is upper-cased. With ``stream=True`` the handler (an ``async def``) is called as
    soon as the headers are in and reads the body with ``async for chunk in req.stream()``.
    Returns the function unchanged."""
    if not isinstance(path, str):
        raise TypeError(f"route path must be a str, got {type(path).__name__}")
    if methods is None:
        methods = ["GET"]
    elif isinstance(methods, str):
        methods = [methods]
    methods = [str(m).upper() for m in methods]
    filename, line = _where()

    def register(fn):
        if not callable(fn):
            raise TypeError(f"@http.route({path!r}) must decorate a function")
        if stream and not (_inspect.iscoroutinefunction(fn) or _inspect.iscoroutinefunction(getattr(fn, "__call__", None))):
            raise TypeError(f"@http.route({path!r}, stream=True) needs an async def handler: "
                            "its body is read with `async for chunk in req.stream()`")
        _routes.append((path, methods, fn, filename, line, bool(stream)))
        return fn

    return register


def websocket(path: str):
    """Registers the decorated ``async def handler(ws)`` for websocket upgrades of ``path`` (GET on
    HTTP/1.1, extended CONNECT on HTTP/2). Guards run first, on the upgrade request; the handler
    then awaits ``ws.accept()`` and exchanges messages. A handler that returns without accepting
    answers 403; one that returns after accepting closes the socket with 1000; one that raises,
    with 1011. Returns the function unchanged."""
    if not isinstance(path, str):
        raise TypeError(f"websocket path must be a str, got {type(path).__name__}")
    filename, line = _where()

    def register(fn):
        if not (_inspect.iscoroutinefunction(fn) or _inspect.iscoroutinefunction(getattr(fn, "__call__", None))):
            raise TypeError(f"{filename}:{line}: @http.websocket({path!r}) needs an async def handler(ws): "
                            "it awaits ws.accept(), ws.receive() and ws.send()")

        async def entry(ws):
            try:
                await fn(ws)
            except WebSocketDisconnect:
                pass  # the socket is closed already (the peer left, or 1009): an end, not an error
            # What reaches the host only when the socket was never accepted (after an accept the
            # host closes the socket and ignores it): the upgrade is refused.
            return Response(403, {"content-type": "text/plain; charset=utf-8"}, b"Forbidden\n")

        entry.__qualname__ = getattr(fn, "__qualname__", entry.__qualname__)
        entry.__wrapped__ = fn
        entry._siphon_websocket = True
        _routes.append((path, ["GET"], entry, filename, line, False))
        return fn

    return register


def middleware(fn):
    """Registers a middleware, run in registration order around the matched route. One parameter
    ``(req)``: a guard that returns a ``Response`` to answer at once or ``None`` to go on. Two
    parameters ``(req, call_next)``: a wrapper that gets the rest of the chain's ``Response`` from
    ``call_next(req)`` (awaited in an ``async def``) and returns a ``Response``. Returns the
    function unchanged."""
    filename, line = _where()
    _middleware.append((fn, _wraps(fn, filename, line), filename, line))
    return fn


def _wraps(fn, filename, line):
    """True for a wrapper (two parameters), False for a guard (one); a TypeError naming the script
    line for anything else. Parameters with defaults are not counted, so ``def g(req, x=1)`` is a
    guard."""
    import inspect

    where = f"{filename}:{line}: @http.middleware {getattr(fn, '__qualname__', repr(fn))}"
    if not callable(fn):
        raise TypeError(f"{where} must decorate a function")
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: cannot read its parameters ({e})") from None
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    variadic = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)
    if not variadic and all(p.kind != p.KEYWORD_ONLY for p in required) and len(required) in (1, 2):
        return len(required) == 2
    shown = ", ".join(p.name for p in params) if params else ""
    raise TypeError(f"{where}({shown}) must take (req) to guard or (req, call_next) to wrap")


def on_startup(fn):
    """Registers a hook run once, to completion, before any listener accepts."""
    _startup.append((fn, *_where()))
    return fn


def on_shutdown(fn):
    """Registers a hook run once on graceful shutdown, after in-flight requests finish."""
    _shutdown.append((fn, *_where()))
    return fn
