"""HttpTestHarness: load a routing script and drive it the way the runtime does.

The harness owns an asyncio event loop and a fresh registry. It loads one
script into a new module namespace (the ``@http.*`` decorators register into
it), answers ``request(...)`` with the runtime's dispatch rules (404, 405 +
Allow, guards and ``(req, call_next)`` wrappers in order, the 404/405/413 answers passed
through the wrappers when there are any, non-Response → 500, exception → 500 with the
traceback in the log, HEAD served by GET with the body dropped, 413 over
``max_body_bytes``, 504 past ``request_timeout_ms`` with the async handler's
task cancelled), and answers the script's outbound ``http.Client`` calls from
canned responses, recording each call in ``sent_requests``.

It also takes the original siphon-http SDK's test API (``config=``,
``harness.http``, ``harness.log.messages``, ``reset()``, ``path_params=``), so
a test written for that SDK runs unchanged; see docs/testing-scripts.md.

Everything is synchronous from the test's side: ``request`` runs the handler
to completion on the harness's loop and returns a ``MockResponse``.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import inspect
import linecache
import secrets
import logging
import sys
import traceback
import types
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from siphon_sdk import _config, _convert, _routing, _state
from siphon_sdk import cache as _cache
from siphon_sdk import http as _http
from siphon_sdk.http import BadRequestError, ConnectError, HTTPException, MockRequest, MockResponse, UnknownClientError

if TYPE_CHECKING:
    from siphon_sdk.websocket_testing import WebSocketTestClient
    import os
    from collections.abc import Callable, Iterable, Mapping

    from siphon_sdk._convert import Body, RequestHeaders

    # A canned answer for an outbound call: a response, an exception (instance or class) to raise in
    # the script, or a callable taking the sent-request dict and returning or raising one of those.
    Answer = MockResponse | BaseException | type[BaseException] | Callable[[dict[str, Any]], Any]

__all__ = ["ConfigError", "HttpTestHarness", "RouteError"]

RouteError = _routing.RouteError
ConfigError = _config.ConfigError

TEXT_PLAIN = "text/plain; charset=utf-8"

# The runtime's error bodies, byte for byte.
ERROR_BODIES = {
    404: "not found\n",
    405: "method not allowed\n",
    413: "payload too large\n",
    500: "internal server error\n",
    504: "gateway timeout\n",
}


def error_response(status: int, extra_headers: dict[str, str] | None = None) -> MockResponse:
    """The runtime's short text/plain error answer for status."""
    headers = {"content-type": TEXT_PLAIN}
    headers.update(extra_headers or {})
    return MockResponse(status, headers, ERROR_BODIES[status])


class CapturedLog(list):
    """``harness.log``: a list of ``(level, message)`` tuples, levels "debug", "info", "warn" and
    "error" (``log.warning`` records as "warn"); ``.messages`` is the same list, as the original
    SDK names it, and ``.clear()`` empties it."""

    @property
    def messages(self) -> "CapturedLog":
        """The captured (level, message) tuples (this list itself)."""
        return self


class HarnessHttp:
    """``harness.http``: the mock ``http`` namespace (``Response``, ``Client``, the errors, ...)
    with this harness's canning helpers and records on it."""

    def __init__(self, harness: HttpTestHarness) -> None:
        self._harness = harness

    @property
    def sent_requests(self) -> list[dict]:
        """The harness's sent_requests."""
        return self._harness.sent_requests

    def add_response(self, resp: Answer) -> None:
        """As HttpTestHarness.add_response."""
        self._harness.add_response(resp)

    def set_response(self, path: str, resp: Answer, *, method: str | None = None) -> None:
        """As HttpTestHarness.set_response."""
        self._harness.set_response(path, resp, method=method)

    def set_default_response(self, resp: Answer | None) -> None:
        """As HttpTestHarness.set_default_response."""
        self._harness.set_default_response(resp)

    def clear(self) -> None:
        """Forget sent requests and canned answers."""
        self._harness._clear_outbound()

    def __getattr__(self, name: str) -> Any:
        return getattr(_http, name)


def _trace_ids(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A request's trace_id/span_id: a new server span, in the caller's trace when a valid
    ``traceparent`` came with it (the header's lines as (name, value) pairs), else in a new trace."""
    traceparent = next((v for n, v in headers if n.lower() == "traceparent"), "")
    parts = traceparent.split("-")
    trace = parts[1] if len(parts) == 4 and len(parts[1]) == 32 and parts[1] != "0" * 32 else secrets.token_hex(16)
    return {"trace_id": trace, "span_id": secrets.token_hex(8)}


class HttpTestHarness:
    """Runs one routing script in-process, with canned answers for its outbound calls.

    ``config``: the parsed http.yaml shape as a dict (the original SDK's
    argument); its ``clients`` (name → settings, ``base_url`` optional) and
    the first server's ``max_body_bytes`` / ``request_timeout_ms`` are used.
    ``config_path``: an http.yaml file to read instead, as the host reads it
    (needs PyYAML). Either way ``${VAR}`` / ``${VAR:-default}`` in string
    values are expanded from ``env`` (default ``os.environ``) and the host's
    checks apply, with its messages (``ConfigError``: unknown keys with "did
    you mean", types, ranges).
    ``clients``: the names configured in http.yaml (a list), or a dict of
    name → base_url. With clients from either, an ``http.Client(name)`` for
    another name raises UnknownClientError at its first call, as in the
    runtime; with neither, any name is accepted with base_url
    ``http://<name>``. ``max_body_bytes`` and ``request_timeout_ms`` emulate
    the listener's limits (None: no limit). ``strict``: an outbound call with
    nothing canned raises ConnectError instead of answering an empty 200.
    ``tracing``: requests get trace ids, as with http.yaml's ``tracing:`` (a
    ``traceparent`` header's trace is continued), and ``req.span.is_recording``
    is True; either way every request's ``req.span`` lands in ``spans``.
    """

    def __init__(self, config: dict[str, Any] | None = None, *, config_path: str | os.PathLike[str] | None = None,
                 env: Mapping[str, str] | None = None, clients: Iterable[str] | dict[str, str | None] | None = None,
                 max_body_bytes: int | None = None, request_timeout_ms: int | None = None, strict: bool = False,
                 tracing: bool = False) -> None:
        if config is not None and config_path is not None:
            raise TypeError("pass config= (a parsed dict) or config_path= (an http.yaml file), not both")
        if config_path is not None:
            config = _config.load_config(config_path, env)
        elif config is not None:
            config = _config.read_config(config, env)
        from_config = _read_config(config)
        if clients is None:
            self._clients = from_config["clients"]
        elif isinstance(clients, dict):
            self._clients = dict(clients)
        else:
            self._clients = {name: f"http://{name}" for name in clients}
        self.max_body_bytes = max_body_bytes if max_body_bytes is not None else from_config["max_body_bytes"]
        self.request_timeout_ms = request_timeout_ms if request_timeout_ms is not None else from_config["request_timeout_ms"]
        self._max_message_bytes = from_config["max_message_bytes"] or 1048576  # servers[0].websocket's, else the host's default
        #: the config as the host reads it: ${VAR} expanded, integers and booleans converted (an empty dict when none)
        self.config = dict(config or {})
        self.strict = strict
        self.tracing = tracing
        self._loop: asyncio.AbstractEventLoop | None = None
        #: (level, message) for every log line, from the script and from dispatch errors
        self.log = CapturedLog()
        #: every outbound call: dicts with method, path, url, name, base_url, headers, body
        self.sent_requests: list[dict] = []
        self.reset()
        _state.latest = self

    @property
    def http(self) -> HarnessHttp:
        """The mock ``http`` namespace with this harness's add_response/set_response/sent_requests."""
        return HarnessHttp(self)

    def reset(self) -> None:
        """Start over: forget the loaded script and its registrations, canned answers, sent
        requests, log and errors (and every other mock namespace's state); load a script again."""
        self._router = _routing.Router()
        self._middleware: list = []
        self._startup: list = []
        self._shutdown: list = []
        self._loading = False
        self._started = self._stopped = False
        self._clear_outbound()
        self.log.clear()
        #: the loaded script's module (None until load_script/load_source)
        self.module: types.ModuleType | None = None
        #: the name logging uses for this script (the file name's stem)
        self.script_name = "siphon.script"
        #: exceptions raised by handlers/middleware (answered 500), for inspection
        self.errors: list[BaseException] = []
        #: every dispatched request's req.span, in order: what the script set on it
        self.spans: list[_http.MockSpan] = []
        _state.run_reset_hooks()
        # The mock cache is process-wide (the reset hooks emptied it); the config's caches exist again.
        for name in _read_config(self.config)["caches"]:
            _cache.cache.set_data(name)

    def _clear_outbound(self) -> None:
        self._queue: collections.deque = collections.deque()
        self._by_path: dict[tuple[str | None, str], object] = {}
        self._default = None
        self.sent_requests.clear()

    @property
    def cache(self) -> "_cache._TestCache":
        """The mock ``siphon.cache``: ``set_data(name, {key: value})`` creates and fills a cache,
        ``expirations`` records ``expire`` calls, ``data(name)`` shows a cache's contents."""
        return _cache.cache

    # ------------------------------------------------------------------ loading

    def load_script(self, path: str | os.PathLike[str]) -> types.ModuleType:
        """Load the script file at path; returns its module. Raises what the script load raises."""
        path = Path(path)
        source = path.read_text(encoding="utf-8")
        directory = str(path.resolve().parent)
        if directory not in sys.path:  # sibling imports work, as under the runtime
            sys.path.insert(0, directory)
        return self.load_source(source, filename=str(path))

    def load_source(self, text: str, filename: str = "<script>") -> types.ModuleType:
        """Load a script from source text; filename is used in tracebacks and error messages."""
        if self.module is not None:
            raise RuntimeError("this harness already loaded a script; use a new HttpTestHarness")
        stem = Path(filename).stem if not filename.startswith("<") else filename.strip("<>")
        self.script_name = stem or "script"
        module = types.ModuleType(self.script_name)
        module.__file__ = filename
        code = compile(text, filename, "exec", dont_inherit=True)
        if not Path(filename).is_file():  # tracebacks can still show the source lines
            linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        token = _state.current.set(self)
        self._loading = True
        previous = sys.modules.get(module.__name__)
        sys.modules[module.__name__] = module  # e.g. dataclasses look the module up
        try:
            exec(code, module.__dict__)
        finally:
            self._loading = False
            _state.current.reset(token)
            if previous is None:
                sys.modules.pop(module.__name__, None)
            else:
                sys.modules[module.__name__] = previous
        self.module = module
        return module

    def _register(self, kind, item) -> None:
        # Called by the decorators while this harness is current.
        if not self._loading:
            raise RuntimeError("routes and hooks can only be registered while the script loads")
        if kind == "route":
            self._router.add(item)
        elif kind == "middleware":
            self._middleware.append(item)
        elif kind == "startup":
            self._startup.append(item)
        else:
            self._shutdown.append(item)

    @property
    def routes(self) -> list[tuple[str, tuple[str, ...]]]:
        """The registered routes as (pattern, methods), in registration order."""
        return [(r.pattern, r.methods) for r in self._router.routes]

    # ------------------------------------------------------------------ lifecycle

    def run_startup(self) -> None:
        """Run the @http.on_startup hooks in registration order; an exception propagates."""
        if self._started:
            raise RuntimeError("run_startup() already ran")
        self._started = True
        for fn in self._startup:
            self._run(_call(fn))

    def run_shutdown(self) -> None:
        """Run the @http.on_shutdown hooks in registration order; all run, then the first error is raised."""
        if self._stopped:
            raise RuntimeError("run_shutdown() already ran")
        self._stopped = True
        first = None
        for fn in self._shutdown:
            try:
                self._run(_call(fn))
            except Exception as exc:
                self._log_line("error", f"on_shutdown {_name(fn)} raised\n{traceback.format_exc()}")
                first = first or exc
        if first is not None:
            raise first

    def close(self) -> None:
        """Close the harness's event loop (shutdown hooks are not run)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.close()

    def __enter__(self) -> HttpTestHarness:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ requests

    def request(
        self,
        method: str = "GET",
        path: str = "/",
        *,
        headers: RequestHeaders | None = None,
        query_params: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        path_params: Mapping[str, str] | None = None,
        body: Body | Iterable[Body] | None = None,
        client: str = "127.0.0.1:0",
        client_cert: str | None = None,
    ) -> MockResponse:
        """Send one request through the dispatch rules and return the response.

        ``path`` is the raw request target (percent-encoded as on the wire); a
        query string in it is parsed, and ``query_params`` (a dict, or (key, value) pairs
        whose keys may repeat) replace the keys they name.
        ``headers``: a dict or (name, value) pairs; a list value sends the
        header once per item. ``body``: bytes, str (UTF-8) or None, or a list
        (any iterable) of bytes/str chunks sent as a chunked upload: a
        ``stream=True`` route reads them one by one through ``req.stream()``
        (``max_body_bytes`` checked as they are read), any other route gets
        them joined. A streamed Response's chunks are collected into ``body``;
        a producer that raises after its first chunk raises
        ``ConnectionAbortedError`` here (the runtime aborts the connection).
        """
        _not_in_a_running_loop()
        method = method.upper()
        raw_path, _, raw_query = path.partition("#")[0].partition("?")
        if not raw_path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        given = _convert.query_lines(query_params)
        keys = {k for k, _ in given}
        query = [(k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True) if k not in keys] + given
        header_map = _convert.request_header_lines(headers)
        if body is None or isinstance(body, (bytes, bytearray, memoryview, str)):
            body_bytes = _convert.to_body(body)
        else:
            body_bytes = [_convert.to_body(c, "a body chunk") for c in body]  # a chunked upload

        overrides = None if path_params is None else _convert.str_dict(path_params, "path_params")
        response = self._dispatch(method, raw_path, query, header_map, body_bytes, client, client_cert, overrides)
        if method == "HEAD":
            response = MockResponse._made(response.status, response._lines, b"")
        return response

    def websocket(self, path: str, *, headers: RequestHeaders | None = None, client: str = "127.0.0.1:0",
                  max_message_bytes: int | None = None) -> WebSocketTestClient:
        """A client of the ``@http.websocket`` route of ``path`` (an async context manager, used from
        a running event loop): ``async with harness.websocket("/chat") as ws: await ws.send("hi");
        assert await ws.receive() == "hi"``. An upgrade answered instead of accepted raises
        ``siphon_sdk.websocket_testing.WebSocketRejected`` with the response (see that module).
        ``max_message_bytes`` defaults to the config's ``servers[0].websocket.max_message_bytes``
        (else the host's 1 MiB)."""
        from siphon_sdk.websocket_testing import WebSocketTestClient

        limit = self._max_message_bytes if max_message_bytes is None else max_message_bytes
        return WebSocketTestClient(self, path, headers, client, limit)

    def _dispatch(self, method, raw_path, query, headers, body, client, client_cert, path_params=None) -> MockResponse:
        match = self._router.match(method, raw_path)
        answer = None  # the host's own answer; with a wrapper registered it passes through the wrappers
        if match.status == 404:
            answer = error_response(404)
        elif match.status == 405:
            answer = error_response(405, {"allow": _routing.allow_header(match.allow)})
        if answer is None:
            stream = match.route.stream
            chunks = body if isinstance(body, list) else None  # a chunked upload
            if chunks is not None and not stream:
                body = b"".join(chunks)
            # A declared length over the cap is refused before dispatch; a stream=True route checks
            # a chunked upload as it reads it.
            if self.max_body_bytes is not None and (chunks is None or not stream) and len(body) > self.max_body_bytes:
                answer = error_response(413)
        stream = answer is None and match.route.stream
        wraps = any(w for _, w in self._middleware)
        if answer is not None and not wraps:
            return answer
        req = MockRequest(
            method,
            _routing.decoded_path(raw_path),
            path_params=(match.params or {}) if path_params is None else path_params,
            query_params=query,
            headers=headers,
            body=b"" if answer is not None or stream else body,  # a refused body is not read
            client=client,
            client_cert=client_cert,
            **(_trace_ids(headers) if self.tracing else {}),
        )
        self.spans.append(req.span)
        if stream:
            req._stream = (chunks if chunks is not None else ([body] if body else []), self.max_body_bytes)
        pipeline = self._wrapped(match.route, req, answer) if wraps else self._pipeline(match.route, req)
        response = self._run(self._limited(self._first_chunk(pipeline, req), req))
        opened = req._opened_stream
        if opened is not None and opened._exceeded and response.status == 500 and getattr(response, "_pending", None) is None:
            response = error_response(413)  # req.stream() raised BodyTooLargeError and the handler let it go
        pending = getattr(response, "_pending", None)
        if pending is None:
            return response
        if method == "HEAD":
            return MockResponse._made(response.status, response._lines, b"")
        return self._run(self._drain(response, pending, req))

    async def _first_chunk(self, pipeline, req) -> MockResponse:
        # A streamed Response: its first chunk is due within request_timeout_ms, as in the runtime.
        response = await pipeline
        if response._streamed and response._stream is None:
            # Its stream was moved on (replace(), stream()) or already sent: as on the host, a 500.
            self._log_line("error", f"{req.method} {req.path}: the streamed body's producer raised before its first chunk\n"
                           "this streamed Response's body was already taken (sent once, or moved on by replace() or stream())")
            return error_response(500)
        if not response._streamed or req.method == "HEAD":
            if response._streamed:
                out = MockResponse._made(response.status, response._lines, b"")
                out._pending = (None, [])
                return out
            return response
        it = aiter(response._take_stream("send"))
        try:
            first = [await _convert.next_chunk_of(it)]
        except StopAsyncIteration:
            first = []
        except Exception as exc:
            self.errors.append(exc)
            self._log_line("error", f"{req.method} {req.path}: the streamed body's producer raised before its first chunk\n{traceback.format_exc()}")
            return error_response(500)
        out = MockResponse._made(response.status, response._lines, b"")
        out._pending = (it, first)
        return out

    async def _drain(self, response, pending, req) -> MockResponse:
        it, chunks = pending
        try:
            while it is not None:
                try:
                    chunks.append(await _convert.next_chunk_of(it))
                except StopAsyncIteration:
                    break
        except Exception as exc:
            self.errors.append(exc)
            self._log_line("error", f"{req.method} {req.path}: the streamed body's producer raised; aborting the response\n{traceback.format_exc()}")
            raise ConnectionAbortedError(
                f"{req.method} {req.path}: the streamed body's producer raised after {len(chunks)} chunk(s): {exc!r}"
            ) from exc
        out = MockResponse._made(response.status, response._lines, b"".join(chunks))
        out._chunks = chunks
        return out

    async def _limited(self, pipeline, req) -> MockResponse:
        # request_timeout_ms: an async handler's task is cancelled at the
        # deadline; a sync one cannot be interrupted, but its late answer is
        # replaced by a 504, as the runtime answers 504 at the deadline.
        if self.request_timeout_ms is None:
            return await pipeline
        loop = asyncio.get_running_loop()
        timeout = self.request_timeout_ms / 1000
        start = loop.time()
        try:
            response = await asyncio.wait_for(pipeline, timeout)
        except TimeoutError:
            self._log_line("warn", f"{req.method} {req.path}: timed out after {self.request_timeout_ms} ms")
            return error_response(504)
        if loop.time() - start > timeout:
            self._log_line("warn", f"{req.method} {req.path}: timed out after {self.request_timeout_ms} ms")
            return error_response(504)
        return response

    async def _pipeline(self, route, req) -> MockResponse:
        where = f"{req.method} {req.path}"
        try:
            for fn, _ in self._middleware:
                result = await _call(fn, req)
                if result is None:
                    continue
                if isinstance(result, MockResponse):
                    return result
                self._log_line(
                    "error",
                    f"{where}: middleware {_name(fn)} returned {type(result).__name__}, not a Response or None",
                )
                return error_response(500)
            result = await _call(route.handler, req)
            if isinstance(result, MockResponse):
                return result
            self._log_line(
                "error", f"{where}: handler {_name(route.handler)} returned {type(result).__name__}, not a Response"
            )
            return error_response(500)
        except (Exception, SystemExit) as exc:
            answer = self._answer_for(exc)
            if answer is not None:
                return answer
            self.errors.append(exc)
            self._log_line("error", f"{where}: unhandled exception\n{traceback.format_exc()}")
            return error_response(500)

    def _answer_for(self, exc: BaseException) -> MockResponse | None:
        """As the runtime (siphon._helpers.answer_for): an http.HTTPException (BadRequestError
        included) is answered with its status, its headers and a text/plain line (the detail, else
        the reason phrase); None for anything else, or for headers that cannot make a Response."""
        if not isinstance(exc, HTTPException):
            return None
        detail = exc.detail
        if not detail:
            try:
                detail = HTTPStatus(exc.status).phrase
            except ValueError:
                detail = str(exc.status)
        elif isinstance(exc, BadRequestError):
            detail = f"bad request: {detail}"
        extra = list(exc.headers.items()) if isinstance(exc.headers, dict) else list(exc.headers or ())
        if not any(isinstance(p, (tuple, list)) and str(p[0]).lower() == "content-type" for p in extra):
            extra.insert(0, ("content-type", TEXT_PLAIN))
        try:
            return MockResponse(exc.status, extra, f"{detail}\n")
        except (TypeError, ValueError) as e:
            self._log_line("error", f"http.HTTPException({exc.status}) could not be answered: its headers are invalid ({e}); answering 500")
            return None

    async def _wrapped(self, route, req, answer) -> MockResponse:
        # As the runtime's chain with wrappers (siphon._host.wrapped._Pass): guards and wrappers in
        # registration order (the wrappers alone for the host's own answer); each call_next turns
        # what the rest raises or returns wrongly into a 500, so a wrapper sees every outcome as a
        # Response; a second call of one call_next makes the whole request a 500. A plain wrapper
        # runs on a thread, off the loop, and its call_next waits for the rest run on the loop.
        chain = [(fn, w) for fn, w in self._middleware if w or answer is None]
        loop = asyncio.get_running_loop()
        state = {"twice": False}
        inner_futures: list = []

        def call_next_for(wrapper, i, sync):
            called = False

            def call_next(r):
                nonlocal called
                if called:
                    state["twice"] = True
                    self._log_line("error", f"{r.method} {r.path}: middleware {_name(wrapper)} called call_next twice; answering 500")
                    raise RuntimeError("call_next() may be called once per request")
                called = True
                if not sync:
                    return guarded(i, r)
                future = asyncio.run_coroutine_threadsafe(guarded(i, r), loop)
                inner_futures.append(future)
                return future.result()

            return call_next

        async def run(i, r):
            while i < len(chain):
                fn, wraps = chain[i]
                i += 1
                if wraps:
                    if _is_async(fn):
                        result = fn(r, call_next_for(fn, i, False))
                    else:
                        context = contextvars.copy_context()
                        result = await loop.run_in_executor(None, context.run, fn, r, call_next_for(fn, i, True))
                    if inspect.isawaitable(result):
                        result = await result
                    if not isinstance(result, MockResponse):
                        raise _BadResult(f"middleware {_name(fn)} returned {type(result).__name__}, not a Response")
                    return result
                result = await _call(fn, r)
                if result is None:
                    continue
                if isinstance(result, MockResponse):
                    return result
                raise _BadResult(f"middleware {_name(fn)} returned {type(result).__name__}, not a Response or None")
            if answer is not None:
                return answer
            return await _call(route.handler, r)

        async def guarded(i, r):
            where = f"{r.method} {r.path}"
            try:
                result = await run(i, r)
            except _BadResult as exc:
                self._log_line("error", f"{where}: {exc}")
                return error_response(500)
            except (Exception, SystemExit) as exc:
                answer = self._answer_for(exc)
                if answer is not None:
                    return answer
                self.errors.append(exc)
                self._log_line("error", f"{where}: unhandled exception\n{traceback.format_exc()}")
                return error_response(500)
            if isinstance(result, MockResponse):
                return result
            self._log_line("error", f"{where}: handler {_name(route.handler)} returned {type(result).__name__}, not a Response")
            return error_response(500)

        try:
            result = await guarded(0, req)
        except asyncio.CancelledError:
            for future in inner_futures:  # a plain wrapper waiting in call_next gets CancelledError
                future.cancel()
            raise
        return error_response(500) if state["twice"] else result

    # ------------------------------------------------------------------ outbound

    def add_response(self, resp: Answer) -> None:
        """Queue an answer for the next outbound call (FIFO; the queue is used before anything else).

        An answer is a MockResponse, an exception (instance or class) to raise
        in the script, e.g. ``ClientTimeoutError("slow")``, or a callable
        taking the sent-request dict and returning/raising one of those.
        """
        self._queue.append(resp)

    def set_response(self, path: str, resp: Answer, *, method: str | None = None) -> None:
        """Answer every outbound call to path with resp: the URL path (no host, no query) or the path
        exactly as the script passed it; method=None: any method."""
        self._by_path[(method.upper() if method else None, path)] = resp

    def set_default_response(self, resp: Answer | None) -> None:
        """Answer outbound calls that nothing else answers with resp (None: an empty 200, or ConnectError
        on a strict harness)."""
        self._default = resp

    def _client_base_url(self, name: str) -> str | None:
        if self._clients is None:
            return f"http://{name}"
        if name not in self._clients:
            configured = ", ".join(sorted(self._clients))
            raise UnknownClientError(
                f"unknown client {name!r}; configured clients: {configured}" if configured
                else f"unknown client {name!r}: the configuration has no clients"
            )
        return self._clients[name]

    def _answer(self, record: dict, requested_path: str) -> MockResponse:
        self.sent_requests.append(record)
        method = record["method"]
        if self._queue:
            answer = self._queue.popleft()
        else:
            for key in ((method, record["path"]), (method, requested_path), (None, record["path"]), (None, requested_path)):
                if key in self._by_path:
                    answer = self._by_path[key]
                    break
            else:
                if self._default is not None:
                    answer = self._default
                elif self.strict:
                    raise ConnectError(f"{method} {record['url']}: nothing canned for this call (strict harness)")
                else:
                    answer = MockResponse(200)  # the original SDK's answer when nothing is canned
        return _upstream(_resolve(answer, record))

    # ------------------------------------------------------------------ plumbing

    def _run(self, coro):
        try:
            _not_in_a_running_loop()
        except RuntimeError:
            coro.close()
            raise
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        token = _state.current.set(self)
        try:
            return self._loop.run_until_complete(coro)
        finally:
            _state.current.reset(token)

    def _log_line(self, level: str, text: str) -> None:
        self.log.append((level, text))
        logging.getLogger(self.script_name).log(_LEVELS[level], text)


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


def _upstream(resp: MockResponse) -> MockResponse:
    """A canned answer as the runtime hands an upstream answer to a script: header names lower-case."""
    body = resp._stream if resp._stream is not None else resp.body  # a streamed canned body stays streamed (client.stream())
    return MockResponse(resp.status, [(k.lower(), v) for k, v in resp._lines], body)  # repeated lines kept, as upstream


def _read_config(config) -> dict:
    """What the harness uses from a parsed http.yaml dict: clients (name → base_url or None, or None
    when the config names no clients), the first server's limits and the names of the caches."""
    out = {"clients": None, "max_body_bytes": None, "request_timeout_ms": None, "caches": [], "max_message_bytes": None}
    if config is None:
        return out
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict (the parsed http.yaml), not {type(config).__name__}")
    clients = config.get("clients")
    if clients is not None:
        if not isinstance(clients, dict):
            raise TypeError(f"config['clients'] must map client names to settings, not {type(clients).__name__}")
        out["clients"] = {}
        for name, settings in clients.items():
            settings = settings or {}
            if not isinstance(settings, dict):
                raise TypeError(f"config['clients'][{name!r}] must be a dict of settings, not {type(settings).__name__}")
            out["clients"][name] = settings.get("base_url")
    servers = config.get("servers") or []
    if servers:
        first = servers[0]
        if not isinstance(first, dict):
            raise TypeError(f"config['servers'][0] must be a dict, not {type(first).__name__}")
        out["max_body_bytes"] = first.get("max_body_bytes")
        out["request_timeout_ms"] = first.get("request_timeout_ms")
        out["max_message_bytes"] = (first.get("websocket") or {}).get("max_message_bytes")
    caches = config.get("cache") or []
    if not isinstance(caches, list):
        raise TypeError(f"config['cache'] must be a list of caches (- name: ...), not {type(caches).__name__}")
    for i, entry in enumerate(caches):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise TypeError(f"config['cache'][{i}] must be a dict with a str 'name'")
        out["caches"].append(entry["name"])
    return out


def _resolve(answer, record):
    if isinstance(answer, MockResponse):
        return answer
    if isinstance(answer, BaseException):
        raise answer
    if isinstance(answer, type) and issubclass(answer, BaseException):
        raise answer(f"{record['method']} {record['url']}")
    if callable(answer):
        return _resolve(answer(record), record)
    raise TypeError(f"canned answer must be a MockResponse, an exception or a callable, not {type(answer).__name__}")


def _not_in_a_running_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        "HttpTestHarness is synchronous and runs its own event loop;"
        " call it from a plain (non-async) test, not inside a running loop"
    )


async def _call(fn, *args):
    """Call a sync or async function; an awaitable result is awaited."""
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


class _BadResult(Exception):
    """A middleware returned what the dispatch rules do not allow (answered 500, not in ``errors``)."""


def _is_async(fn) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


def _name(fn) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)
