"""Value checks and conversions shared by the mock Request, Response and Client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Sequence
    from typing import Any, TypeGuard

    # A buffered body: bytes-like, or str (sent as UTF-8).
    Body = bytes | bytearray | memoryview | str
    # A streamed body: an async iterable (an async generator, ...) of bytes/str chunks.
    StreamedBody = AsyncIterable[bytes | str]
    # Headers as a script gives them: a mapping, or (name, value) pairs.
    Headers = Mapping[str, str] | Iterable[tuple[str, str]]
    # Incoming headers as a test gives them: a list value (or a repeated pair) sends the header once per item.
    RequestHeaders = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]


def to_body(body: object, what: str = "body") -> bytes:
    """bytes-like → bytes, str → UTF-8, None → b""; anything else is a TypeError."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"{what} must be bytes, str or None, not {type(body).__name__}")


def _pairs(headers: Headers | RequestHeaders | None) -> Iterable[tuple[object, object]]:
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return headers.items()
    return headers  # an iterable of (name, value) pairs


def check_header(name: object, value: object) -> None:
    """A header name/value must be str and free of CR/LF (ValueError)."""
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError(
            f"header names and values must be str, got {type(name).__name__}: {type(value).__name__}"
        )
    if not name:
        raise ValueError("empty header name")
    if "\r" in name or "\n" in name:
        raise ValueError(f"header name {name!r} contains CR or LF")
    if "\r" in value or "\n" in value:
        raise ValueError(f"value of header {name!r} contains CR or LF")


def response_headers(headers: Headers | None) -> dict[str, str]:
    """Response/outgoing headers: names kept as written, each checked."""
    out: dict[str, str] = {}
    for name, value in _pairs(headers):
        check_header(name, value)
        out[name] = value
    return out


def request_header_lines(headers: RequestHeaders | None) -> list[tuple[str, str]]:
    """Incoming headers as lines: names lower-cased, one line per repeated pair or list item."""
    out: list[tuple[str, str]] = []
    for name, value in _pairs(headers):
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        for v in values:
            check_header(name, v)
            out.append((name.lower(), v))
    return out


def request_headers(headers: RequestHeaders | None) -> dict[str, str]:
    """Incoming headers: names lower-cased; repeats (or a list value) joined with ", "."""
    out: dict[str, str] = {}
    for key, v in request_header_lines(headers):
        out[key] = f"{out[key]}, {v}" if key in out else v
    return out


def query_lines(query: Mapping[str, str] | Iterable[tuple[str, str]] | None, what: str = "query_params") -> list[tuple[str, str]]:
    """Query parameters as (key, value) pairs in order: a mapping, or pairs (a key may repeat)."""
    out = []
    for k, v in _pairs(query):  # type: ignore[arg-type]
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"{what} must map str to str (or be (str, str) pairs), got {k!r}: {v!r}")
        out.append((k, v))
    return out


def str_dict(value: Mapping[str, str] | None, what: str) -> dict[str, str]:
    """A dict[str, str] copy of value (None → {})."""
    if value is None:
        return {}
    out = dict(value)
    for k, v in out.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"{what} must map str to str, got {k!r}: {v!r}")
    return out


def span_value(value: object, what: str) -> object:
    """A span attribute's value as the runtime takes it: str, int, float or bool, else TypeError."""
    if isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"{what} must be str, int, float or bool, got {type(value).__name__}")


def is_async_iterable(body: object) -> TypeGuard[AsyncIterable[Any]]:
    """True for an async iterable (async generator, MockBodyStream, ...): a streamed body."""
    return hasattr(type(body), "__aiter__")


async def next_chunk(stream) -> bytes:
    """The next non-empty chunk of a MockBodyStream's source (sync or async iterable of bytes/str);
    StopAsyncIteration at its end."""
    if stream._iter is None:
        src = stream._source
        it: Any = src.__aiter__() if is_async_iterable(src) else iter(src)  # sync or async: checked below
        stream._iter = it
    while True:
        if hasattr(stream._iter, "__anext__"):
            chunk = await stream._iter.__anext__()
        else:
            try:
                chunk = next(stream._iter)
            except StopIteration:
                raise StopAsyncIteration from None
        chunk = to_body(chunk, "a body chunk")
        if chunk:
            return chunk


async def next_chunk_of(it: AsyncIterator[object]) -> bytes:
    """The next chunk of a streamed Response's async iterator as bytes (str → UTF-8); StopAsyncIteration at the end."""
    chunk = await it.__anext__()
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a streamed body must yield bytes or str, got {type(chunk).__name__}")
