"""``req.form()`` in the mock: the runtime reads forms with ASP.NET Core's readers
(``Siphon.Runtime/Http/FormParser.cs``); this reads them with the standard library
(``urllib.parse`` for urlencoded bodies, ``email`` for multipart), within the same limits, and
the parity table and the property test hold the two to the same answers."""

from __future__ import annotations

import email.parser
import email.policy
from urllib.parse import unquote_plus

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
    entries: list[Entry] = []
    text = body.decode("utf-8", errors="replace")
    for piece in text.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        if len(key) > MAX_FIELD_BYTES or len(value) > MAX_FIELD_BYTES:
            raise ValueError(f"a form field is larger than {MAX_FIELD_BYTES} bytes")
        if len(entries) == MAX_FIELDS:
            raise ValueError(f"the form has more than {MAX_FIELDS} fields")
        entries.append((unquote_plus(key), unquote_plus(value)))
    return entries


def _multipart(content_type: str, body: bytes) -> list[Entry]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.get_boundary():
        raise ValueError("multipart/form-data without a boundary")
    if not message.is_multipart() or message.defects:
        raise ValueError("malformed multipart body")
    entries: list[Entry] = []
    for i, part in enumerate(message.iter_parts(), 1):
        if len(entries) == MAX_FIELDS:
            raise ValueError(f"the form has more than {MAX_FIELDS} parts")
        if part.get_content_disposition() != "form-data":
            raise ValueError(f"part {i} has no Content-Disposition: form-data header")
        name = part.get_param("name", header="content-disposition")
        if name is None:
            raise ValueError(f"part {i} has no name")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            entries.append((str(name), (filename, part.get("content-type"), data)))
            continue
        if len(data) > MAX_FIELD_BYTES:
            raise ValueError(f"field {name} is larger than {MAX_FIELD_BYTES} bytes")
        entries.append((str(name), data.decode("utf-8", errors="replace")))
    return entries
