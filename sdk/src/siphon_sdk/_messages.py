"""The mock Request/Response helpers' rules, as the runtime has them (``Siphon.Runtime/Http/
HeaderLines.cs`` and ``siphon/_helpers.py``): header lines and their ``.headers`` view, the merge
that keeps repeated lines, the read-only headers dict, ``req.header()`` reading ``req.headers``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NoReturn

from siphon_sdk import _convert

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator

    Lines = list[tuple[str, str]]

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


def lines_of(headers: object, what: str = "headers") -> Lines:
    """A dict[str, str] or a list/tuple of (name, value) pairs, checked, as header lines in order."""
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        pairs = list(headers.items())
    elif isinstance(headers, (list, tuple)):
        pairs = []
        for i, pair in enumerate(headers):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"{what}[{i}] must be a (name, value) pair, got {pair!r}")
            pairs.append((pair[0], pair[1]))
    else:
        raise TypeError(f"{what} must be a dict[str, str] or a list of (name, value) pairs, got {type(headers).__name__}")
    for name, value in pairs:
        _convert.check_header(name, value)
    return pairs


def joined(lines: Lines) -> dict[str, str]:
    """``.headers``: a repeated name's lines (matched case-insensitively) joined with ", " under its first spelling."""
    spelling: dict[str, str] = {}
    out: dict[str, str] = {}
    for name, value in lines:
        first = spelling.setdefault(name.lower(), name)
        out[first] = f"{out[first]}, {value}" if first in out else value
    return out


def merge(original: Lines, given: Lines, given_as_dict: bool) -> Lines:
    """replace(headers=...): a dict entry whose value is a repeated name's joined value keeps that
    name's original lines; anything else is taken as given."""
    if not given_as_dict or len(original) < 2:
        return given
    view = joined(original)
    if len(view) == len(original):
        return given
    out: Lines = []
    for name, value in given:
        same = [line for line in original if line[0].lower() == name.lower()]
        if len(same) > 1 and view.get(name) == value:
            out.extend(same)
        else:
            out.append((name, value))
    return out


def header(headers: dict[str, str], name: str) -> str | None:
    """``req.header(name)``: the value in ``req.headers``, the name matched case-insensitively."""
    if not isinstance(name, str):
        raise TypeError(f"header name must be a str, not {type(name).__name__}")
    value = headers.get(name.lower())
    if value is None:
        lower = name.lower()
        for k, v in headers.items():
            if isinstance(k, str) and k.lower() == lower:
                return v
    return value


def values(current: dict[str, str], key: str, arrived: list[str], joined: bool) -> list[str]:
    """``req.query_list`` / ``req.header_list``: the values as they arrived while the script's dict
    still shows them (its value is their joined or last value), else what the dict holds now."""
    value = current.get(key)
    if value is None:
        return []
    if arrived and value == (", ".join(arrived) if joined else arrived[-1]):
        return arrived
    return [value]


def cookies(lines: Lines) -> dict[str, str]:
    """``req.cookies`` (as ``Siphon.Runtime/Http/CookieParser.cs``): each Cookie line split on ';',
    each piece at its first '=', spaces and tabs trimmed, pieces without '=' or a name dropped,
    one pair of surrounding double quotes stripped, the first name wins."""
    out: dict[str, str] = {}
    for name, line in lines:
        if name != "cookie":
            continue
        for piece in line.split(";"):
            key, eq, value = piece.partition("=")
            key = key.strip(" \t")
            if not eq or not key:
                continue
            value = value.strip(" \t")
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            out.setdefault(key, value)
    return out


_SEPARATORS = set('()<>@,;:\\"/[]?={}')


def _token_char(c: str) -> bool:
    return " " < c < "\x7f" and c not in _SEPARATORS


def _cookie_octet(c: str) -> bool:
    o = ord(c)
    return o == 0x21 or 0x23 <= o <= 0x2B or 0x2D <= o <= 0x3A or 0x3C <= o <= 0x5B or 0x5D <= o <= 0x7E


def _quote(s: str | None) -> str:
    return "None" if s is None else f'"{s}"'


def set_cookie(name: str, value: str, max_age: int | None, expires: object, path: str | None, domain: str | None,
               secure: bool, httponly: bool, samesite: str | None) -> str:
    """The Set-Cookie line of resp.with_cookie(), as the runtime formats it (Siphon.Runtime/Http/SetCookie.cs,
    ASP.NET Core's SetCookieHeaderValue): the same checks, the same attribute order."""
    for what, v in (("name", name), ("value", value)):
        if not isinstance(v, str):
            raise TypeError(f"cookie {what} must be a str, not {type(v).__name__}")
    if not name or not all(_token_char(c) for c in name):
        raise ValueError(f"cookie name {_quote(name)} is not a token (letters, digits and !#$%&'*+-.^_`|~ only)")
    if not all(_cookie_octet(c) for c in value):
        raise ValueError(f"the value of cookie {name} has a character a cookie value cannot hold (space, '\"', ',', ';', "
                         "'\\' or a control character): encode it first (urllib.parse.quote, base64)")
    for what, v in (("path", path), ("domain", domain)):
        if v is not None and any(c == ";" or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in v):
            raise ValueError(f"cookie {name}: {what} {_quote(v)} must not contain ';' or control characters")
    mode = None if samesite is None else samesite.lower()
    if mode not in (None, "lax", "strict", "none"):
        raise ValueError(f'cookie {name}: samesite must be "lax", "strict", "none" or None, got {_quote(samesite)}')
    if mode == "none" and not secure:
        raise ValueError(f'cookie {name}: samesite="none" needs secure=True (browsers drop it otherwise)')
    parts = [f"{name}={value}"]
    if expires is not None:
        parts.append(f"expires={_http_date(expires, name)}")
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int):
            raise TypeError(f"max_age must be an int, not {type(max_age).__name__}")
        parts.append(f"max-age={max_age}")
    if domain is not None:
        parts.append(f"domain={domain}")
    if path is not None:
        parts.append(f"path={path}")
    if secure:
        parts.append("secure")
    if mode is not None:
        parts.append(f"samesite={mode}")
    if httponly:
        parts.append("httponly")
    return "; ".join(parts)


def _http_date(expires: object, name: str) -> str:
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime, parsedate_to_datetime

    if isinstance(expires, str):
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            when = None
        if when is None or not expires.endswith(" GMT"):
            raise ValueError(f'cookie {name}: expires {_quote(expires)} is not an HTTP date like "Thu, 01 Jan 1970 00:00:00 GMT" '
                             "(or give seconds from now as an int)")
    elif isinstance(expires, int) and not isinstance(expires, bool):
        when = datetime.now(timezone.utc) + timedelta(seconds=expires)
    else:
        raise TypeError(f"expires must be an int, a str or None, not {type(expires).__name__}")
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


async def chunks(body: AsyncIterable[object]) -> AsyncIterator[bytes]:
    """``resp.stream()`` of a streamed Response: its chunks as bytes, closing the source when the consumer stops early."""
    it = aiter(body)
    try:
        while True:
            try:
                chunk = await _convert.next_chunk_of(it)
            except StopAsyncIteration:
                return
            yield chunk
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()
