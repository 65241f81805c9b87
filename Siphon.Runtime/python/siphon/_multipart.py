"""``http.read_multipart(req)``: a ``multipart/form-data`` body read part by part as it arrives
(``req.stream()``), never held whole: each part's bytes are handed on as they come, and only a
part's header block (at most 16 KiB) and a boundary's length of look-ahead are buffered. Parts
split as ASP.NET Core's MultipartReader (``req.form()``) splits them. One source for the host and
the SDK: this file (``Siphon.Runtime/python/siphon/_multipart.py``); every build of the host copies
it to ``sdk/src/siphon_sdk/_multipart.py``, and CI fails when the committed copy differs."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

MAX_PARTS = 1000
MAX_HEADER_BYTES = 16 * 1024


class MultipartPart:
    """One part of a streamed multipart body: ``name``, ``filename`` (as sent, or ``None``),
    ``content_type`` (or ``None``), ``headers`` (lower-case names); its bytes with
    ``async for chunk in part`` (once, before the next part) or ``await part.read()``."""

    def __init__(self, reader: _Reader, headers: dict[str, str], name: str, filename: str | None) -> None:
        self._reader = reader
        self.headers = headers
        self.name = name
        self.filename = filename
        self.content_type = headers.get("content-type")
        self._done = False

    def __aiter__(self) -> MultipartPart:
        return self

    async def __anext__(self) -> bytes:
        if self._done:
            raise StopAsyncIteration
        chunk = await self._reader.body_chunk()
        if chunk is None:
            self._done = True
            raise StopAsyncIteration
        return chunk

    async def read(self) -> bytes:
        """The rest of this part's bytes (this part only is held)."""
        return b"".join([chunk async for chunk in self])

    def __repr__(self) -> str:
        return f"MultipartPart(name={self.name!r}, filename={self.filename!r}, content_type={self.content_type!r})"


class _Reader:
    def __init__(self, chunks: AsyncIterator[bytes], boundary: str, bad: type[Exception]) -> None:
        self._chunks = chunks
        self._delimiter = b"--" + boundary.encode("utf-8")
        self._buffer = bytearray()
        self._eof = False
        self._bad = bad
        self._in_body = False

    def _error(self, why: str) -> Exception:
        return self._bad(f"http.read_multipart(): {why}")

    async def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            self._buffer += await self._chunks.__anext__()
        except StopAsyncIteration:
            self._eof = True
            return False
        return True

    async def _find(self, needle: bytes, limit: int | None = None) -> int:
        start = 0
        while True:
            at = self._buffer.find(needle, start)
            if at >= 0:
                return at
            if limit is not None and len(self._buffer) > limit:
                raise self._error("a part's headers are larger than 16 KiB")
            start = max(0, len(self._buffer) - len(needle) + 1)
            if not await self._fill():
                raise self._error("malformed multipart body (unexpected end)")

    async def body_chunk(self) -> bytes | None:
        """The next piece of the current part's body, or None at its end (the delimiter consumed)."""
        if not self._in_body:
            return None
        end = b"\r\n" + self._delimiter
        while True:
            at = self._buffer.find(end)
            if at >= 0:
                chunk = bytes(self._buffer[:at])
                del self._buffer[:at + len(end)]
                self._in_body = False
                return chunk if chunk else None
            keep = len(end) - 1
            if len(self._buffer) > keep:
                chunk = bytes(self._buffer[:-keep])
                del self._buffer[:-keep]
                return chunk
            if not await self._fill():
                raise self._error("malformed multipart body (unexpected end)")

    async def parts(self) -> AsyncIterator[MultipartPart]:
        at = await self._find(self._delimiter)  # a preamble before the first boundary is skipped
        del self._buffer[:at + len(self._delimiter)]
        count = 0
        while True:
            while len(self._buffer) < 2 and await self._fill():
                pass
            if self._buffer[:2] == b"--":
                return  # the closing boundary: what follows is ignored
            eol = await self._find(b"\r\n")
            del self._buffer[:eol + 2]
            while len(self._buffer) < 2 and await self._fill():
                pass
            if self._buffer.startswith(b"\r\n"):  # a part without headers
                block = b""
                del self._buffer[:2]
            else:
                end = await self._find(b"\r\n\r\n", MAX_HEADER_BYTES)
                block = bytes(self._buffer[:end])
                del self._buffer[:end + 4]
            headers: dict[str, str] = {}
            for line in block.decode("utf-8", errors="replace").split("\r\n") if block else ():
                key, colon, value = line.partition(":")
                if not colon:
                    raise self._error("malformed multipart body (invalid header line)")
                headers.setdefault(key.strip().lower(), value.strip())
            count += 1
            if count > MAX_PARTS:
                raise self._error(f"the body has more than {MAX_PARTS} parts")
            kind, params = disposition_of(headers.get("content-disposition"))
            if kind != "form-data":
                raise self._error(f"part {count} has no Content-Disposition: form-data header")
            if "name" not in params:
                raise self._error(f"part {count} has no name")
            self._in_body = True
            part = MultipartPart(self, headers, params["name"], params.get("filename"))
            yield part
            while await self.body_chunk() is not None:  # the rest of a part the script did not read
                pass


def disposition_of(header: str | None) -> tuple[str, dict[str, str]]:
    """A Content-Disposition value as ASP.NET Core's ContentDispositionHeaderValue reads it: the
    type (lower case), then name=value parameters (a quoted value loses its quotes, nothing else)."""
    if header is None:
        return "", {}
    pieces, start, quoted = [], 0, False
    for i, c in enumerate(header):
        if c == '"':
            quoted = not quoted
        elif c == ";" and not quoted:
            pieces.append(header[start:i])
            start = i + 1
    pieces.append(header[start:])
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        key, eq, value = piece.partition("=")
        if eq:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            params.setdefault(key.strip().lower(), value)
    return pieces[0].strip().lower(), params


def boundary_of(content_type: str | None) -> str | None:
    """The boundary of a multipart/form-data content type (quotes removed), or None."""
    if content_type is None or content_type.split(";", 1)[0].strip().lower() != "multipart/form-data":
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "boundary":
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            return value or None
    return None


def read(req, bad: type[Exception]) -> AsyncIterator[MultipartPart]:
    boundary = boundary_of(req.header("content-type"))
    if boundary is None:
        raise bad(f"http.read_multipart(): the body is not multipart/form-data with a boundary "
                  f"(content-type {req.header('content-type')!r})")
    return _Reader(aiter(req.stream()), boundary, bad).parts()
