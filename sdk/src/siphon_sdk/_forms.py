"""``req.form()`` in the mock: the runtime reads forms with ASP.NET Core's readers
(``Siphon.Runtime/Http/FormParser.cs``); this reads them with the standard library
(``urllib.parse`` for urlencoded escapes, ``email.message`` for a part's Content-Disposition
parameters; parts are split as ASP.NET's MultipartReader splits them), within the same limits, and
the parity table and the property test hold the two to the same answers."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from siphon_sdk._multipart import boundary_of, disposition_of

MAX_FIELDS = 1000
MAX_FIELD_BYTES = 1 << 20

Entry = tuple[str, "str | tuple[str, str | None, bytes]"]


def parse(content_type: str | None, body: bytes) -> list[Entry]:
    """The fields in order; ValueError (the mock's BadRequestError) naming what is wrong."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return _urlencoded(body)
    if media == "multipart/form-data":
        return _multipart(content_type or "", body)
    shown = "missing" if content_type is None else f'"{content_type}"'
    raise ValueError(f"the body is not a form (content-type {shown}; expected application/x-www-form-urlencoded or multipart/form-data)")


def _urlencoded(body: bytes) -> list[Entry]:
    # As ASP.NET Core's FormReader: the body is read as UTF-8 text; a key runs to the next '='
    # (an '&' before it is part of the key), its value to the next '&'; a trailing piece without
    # '=' is dropped; '+' is a space and %XX escapes that make UTF-8 are decoded (others stay).
    text = body.decode("utf-8", errors="replace")
    entries: list[Entry] = []
    pos = 0
    while pos < len(text):
        eq = text.find("=", pos)
        if eq < 0:
            break
        amp = text.find("&", eq + 1)
        end = len(text) if amp < 0 else amp
        key, value = text[pos:eq], text[eq + 1:end]
        pos = end + 1
        if len(key) > MAX_FIELD_BYTES or len(value) > MAX_FIELD_BYTES:
            raise ValueError(f"a form field is larger than {MAX_FIELD_BYTES} bytes")
        if len(entries) == MAX_FIELDS:
            raise ValueError(f"the form has more than {MAX_FIELDS} fields")
        entries.append((_unescape(key), _unescape(value)))
    return entries


_HEX = "0123456789abcdefABCDEF"


def _unescape(text: str) -> str:
    """'+' → space, then .NET's Uri.UnescapeDataString: %XX runs that decode as UTF-8 are decoded,
    an escape that is broken or not valid UTF-8 stays as written."""
    text = text.replace("+", " ")
    out: list[str] = []
    i = 0
    while i < len(text):
        lead = _escaped(text, i)
        if lead is None:
            out.append(text[i])
            i += 1
            continue
        size = 1 if lead < 0x80 else 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
        raw = bytearray([lead])
        j = i + 3
        while 0 < len(raw) < size and (byte := _escaped(text, j)) is not None:
            raw.append(byte)
            j += 3
        try:
            if len(raw) != size:
                raise UnicodeDecodeError("utf-8", bytes(raw), 0, len(raw), "incomplete")
            out.append(raw.decode("utf-8"))
            i = j
        except UnicodeDecodeError:
            out.append(text[i:i + 3])  # not UTF-8: the escape stays as written
            i += 3
    return "".join(out)


def _escaped(text: str, i: int) -> int | None:
    """The byte of a %XX escape at i, or None."""
    pair = text[i + 1:i + 3]
    if text[i:i + 1] == "%" and len(pair) == 2 and all(c in _HEX for c in pair):
        return int(pair, 16)
    return None


def _multipart(content_type: str, body: bytes) -> list[Entry]:
    # As ASP.NET Core's MultipartReader: a preamble before the first "--boundary" line is skipped;
    # each part is header lines, an empty line, then its body up to CRLF "--boundary"; the
    # "--boundary--" line ends the body (what follows is ignored); a body that ends before it, or
    # a header line without ':', is malformed.
    boundary = boundary_of(content_type)
    if not boundary:
        raise ValueError("multipart/form-data without a boundary")
    delimiter = b"--" + boundary.encode("utf-8")
    start = body.find(delimiter)
    if start < 0:
        raise ValueError("malformed multipart body (no boundary)")
    pos = start + len(delimiter)
    entries: list[Entry] = []
    while True:
        if body.startswith(b"--", pos):
            return entries
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise ValueError("malformed multipart body (unexpected end)")
        pos = eol + 2
        headers: dict[str, str] = {}
        while True:
            eol = body.find(b"\r\n", pos)
            if eol < 0:
                raise ValueError("malformed multipart body (unexpected end)")
            line = body[pos:eol].decode("utf-8", errors="replace")
            pos = eol + 2
            if not line:
                break
            name, colon, value = line.partition(":")
            if not colon:
                raise ValueError("malformed multipart body (invalid header line)")
            headers.setdefault(name.strip().lower(), value.strip())
        end = body.find(b"\r\n" + delimiter, pos)
        if end < 0:
            raise ValueError("malformed multipart body (unexpected end)")
        data = body[pos:end]
        pos = end + 2 + len(delimiter)
        if len(entries) == MAX_FIELDS:
            raise ValueError(f"the form has more than {MAX_FIELDS} parts")
        entries.append(_part(len(entries) + 1, headers, data))


def _part(i: int, headers: dict[str, str], data: bytes) -> Entry:
    disposition = headers.get("content-disposition")
    kind, params = disposition_of(disposition)
    if kind != "form-data":
        raise ValueError(f"part {i} has no Content-Disposition: form-data header")
    name = params.get("name")
    if name is None:
        raise ValueError(f"part {i} has no name")
    filename = params.get("filename")
    if "filename*" in params:
        charset, _, rest = params["filename*"].partition("'")
        filename = unquote_to_bytes(rest.partition("'")[2]).decode(charset or "utf-8", errors="replace")
    if filename is not None:
        return (name, (filename, headers.get("content-type"), data))
    if len(data) > MAX_FIELD_BYTES:
        raise ValueError(f"field {name} is larger than {MAX_FIELD_BYTES} bytes")
    return (name, data.decode("utf-8", errors="replace"))
