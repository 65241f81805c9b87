"""The Python side of the bound ``Request``/``Response`` helpers: what the C# members hand to Python
because it is Python's to do (a read-only dict subclass, re-chunking an async iterable, reading the
dict a script may have changed). Called from C# (``Siphon.Runtime/Http/ScriptHelpers.cs``); not part
of the script API. The SDK mock has the same rules in ``siphon_sdk/_messages.py``."""
from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, NoReturn

from siphon import http, log

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator

_REFUSED = ("a Response's headers cannot be changed in place (it is immutable, and a change to a copy "
            "would never be sent): build a new one with resp.replace(headers={**resp.headers, name: value})")


class ResponseHeaders(dict):  # type: ignore[type-arg]
    """``Response.headers``: a ``dict[str, str]`` that refuses changes, naming ``replace()``. A copy
    (``dict(h)``, ``{**h}``, ``h.copy()``) is a plain dict."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(_REFUSED)

    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def copy(self) -> dict[str, str]:
        return dict(self)


def parse_json(data: bytes, what: str, bad_request: bool) -> object:
    """``req.json()`` / ``resp.json()``: the parsed body; invalid JSON (or not UTF-8) raises
    BadRequestError for a request, ValueError for a response."""
    try:
        return json.loads(data)
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        message = f"{what}: the body is not valid JSON ({e})"
    raise http.BadRequestError(message) if bad_request else ValueError(message)


def form_data(entries: list[tuple[str, object]]) -> http.FormData:
    """``req.form()``: the (name, value) pairs C# read, a file part's value a (filename, content
    type, bytes) tuple, as an http.FormData of str and http.UploadFile values."""
    return http.FormData([(name, http.UploadFile(*value) if isinstance(value, tuple) else value)
                          for name, value in entries])


def answer_for(exc: BaseException) -> http.Response | None:
    """The answer to an http.HTTPException (BadRequestError included) a script let go: its status,
    its headers and a text/plain line (the detail, else the status's reason phrase); None for any
    other exception (a 500), or for headers that cannot make a Response (logged; a 500)."""
    if not isinstance(exc, http.HTTPException):
        return None
    detail = exc.detail
    if not detail:
        try:
            detail = HTTPStatus(exc.status).phrase
        except ValueError:
            detail = str(exc.status)
    elif isinstance(exc, http.BadRequestError):
        detail = f"bad request: {detail}"
    extra = list(exc.headers.items()) if isinstance(exc.headers, dict) else list(exc.headers or ())
    if not any(isinstance(p, (tuple, list)) and str(p[0]).lower() == "content-type" for p in extra):
        extra.insert(0, ("content-type", "text/plain; charset=utf-8"))
    try:
        return http.Response(exc.status, extra, f"{detail}\n")
    except (TypeError, ValueError) as e:
        log.error(f"http.HTTPException({exc.status}) could not be answered: its headers are invalid ({e}); answering 500")
        return None


def response_headers(d: dict[str, str]) -> ResponseHeaders:
    return ResponseHeaders(d)


def header(headers: dict[str, str], name: str) -> str | None:
    """``req.header(name)``: the value in ``req.headers`` (the one source of truth, which a
    middleware may have changed), the name matched case-insensitively."""
    if not isinstance(name, str):
        raise TypeError(f"header name must be a str, not {type(name).__name__}")
    value = headers.get(name.lower())
    if value is None:
        lower = name.lower()
        for k, v in headers.items():
            if isinstance(k, str) and k.lower() == lower:
                return v
    return value


def as_bytes(chunk: object) -> bytes:
    """A streamed body's chunk as bytes (str as UTF-8); TypeError for anything else."""
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, str):
        return chunk.encode()
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a streamed body must yield bytes or str, got {type(chunk).__name__}")


def values(current: dict[str, str], key: str, arrived: list[str], joined: bool) -> list[str]:
    """``req.query_list`` / ``req.header_list``: the values as they arrived while the script's dict
    still shows them (its value is their joined or last value), else what the dict holds now."""
    value = current.get(key)
    if value is None:
        return []
    if arrived and value == (", ".join(arrived) if joined else arrived[-1]):
        return arrived
    return [value]


async def chunks(body: AsyncIterable[object]) -> AsyncIterator[bytes]:
    """``resp.stream()`` of a streamed Response: its chunks as bytes, closing the source when the
    consumer stops early (a client that went away)."""
    it = aiter(body)
    try:
        async for chunk in it:
            yield as_bytes(chunk)
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()
