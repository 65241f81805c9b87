"""Route patterns and matching, as the runtime's C# router does them.

Patterns are ``/``-separated segments: a literal, ``{name}`` (exactly one
non-empty segment) or ``{*name}`` (catch-all, last segment only, zero or more
segments, joined back with ``/``). A request path is split on ``/`` while still
raw and each segment is percent-decoded afterwards, so ``%2F`` inside a segment
ends up as ``/`` in a param value but never splits a segment. Per segment a
literal beats a param beats a catch-all, with backtracking: among the routes
whose pattern matches, the one whose per-segment kinds sort first wins. The
method is part of the choice (a matching route that does not allow the method
is skipped); only when no matching route allows it is the answer 405.

Nothing here knows about the harness; ``http_testing`` drives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from collections.abc import Iterable

LITERAL, PARAM, CATCH_ALL = 0, 1, 2

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class RouteError(ValueError):
    """A route pattern that cannot be parsed, or a clash between two routes.

    The message starts with ``file:line:`` of the ``@http.route`` that failed.
    """


@dataclass(frozen=True)
class Segment:
    kind: int
    value: str  # the literal text, or the param name


@dataclass
class Route:
    pattern: str
    segments: tuple[Segment, ...]
    methods: tuple[str, ...]
    handler: object
    where: str  # "file:line" of the decorator, for messages
    order: int = 0
    stream: bool = False  # stream=True: dispatched before the body is read
    websocket: bool = False  # @http.websocket: serves upgrades (HttpTestHarness.websocket) only

    @property
    def shape(self) -> tuple:
        """The pattern with param names erased: two routes of one shape match the same paths."""
        return tuple((s.kind, s.value if s.kind == LITERAL else "") for s in self.segments)

    @property
    def rank(self) -> tuple[int, ...]:
        return tuple(s.kind for s in self.segments)


def parse_pattern(pattern: str) -> tuple[Segment, ...]:
    """Parse a route pattern; raise ValueError (without location) if it is bad."""
    if not isinstance(pattern, str):
        raise TypeError(f"route path must be a str, not {type(pattern).__name__}")
    if not pattern.startswith("/"):
        raise ValueError(f"route pattern {pattern!r} must start with '/'")
    if "?" in pattern or "#" in pattern:
        raise ValueError(f"route pattern {pattern!r} must not contain '?' or '#'")
    raw = pattern[1:].split("/")
    segments: list[Segment] = []
    names: set[str] = set()
    for i, text in enumerate(raw):
        last = i == len(raw) - 1
        if text == "" and not last:
            raise ValueError(f"route pattern {pattern!r} has an empty segment")
        if text.startswith("{") and text.endswith("}"):
            inner = text[1:-1]
            kind = PARAM
            if inner.startswith("*"):
                kind, inner = CATCH_ALL, inner[1:]
                if not last:
                    raise ValueError(
                        f"route pattern {pattern!r}: catch-all {{*{inner}}} must be the last segment"
                    )
            if not _NAME.match(inner):
                raise ValueError(f"route pattern {pattern!r}: bad parameter name {inner!r}")
            if inner in names:
                raise ValueError(f"route pattern {pattern!r}: parameter {inner!r} appears twice")
            names.add(inner)
            segments.append(Segment(kind, inner))
        elif "{" in text or "}" in text:
            raise ValueError(
                f"route pattern {pattern!r}: segment {text!r} mixes text and braces"
                " (a parameter must be a whole segment)"
            )
        else:
            segments.append(Segment(LITERAL, text))
    return tuple(segments)


def normalize_methods(methods: Iterable[object] | None) -> tuple[str, ...]:
    """None → ("GET",); a list of names → upper-cased, de-duplicated, in order."""
    if methods is None:
        return ("GET",)
    if isinstance(methods, (str, bytes)):
        raise TypeError("methods must be a list of method names, e.g. ['GET', 'POST'], not a string")
    out: list[str] = []
    for m in methods:
        if not isinstance(m, str) or not m.strip() or not m.isascii():
            raise ValueError(f"bad HTTP method {m!r}")
        m = m.strip().upper()
        if m not in out:
            out.append(m)
    if not out:
        raise ValueError("methods must not be empty")
    return tuple(out)


def decode_segment(raw: str) -> str:
    return unquote(raw, encoding="utf-8", errors="replace")


def split_path(raw_path: str) -> list[str]:
    """Split a raw (still encoded) path on '/' and percent-decode each segment."""
    return [decode_segment(s) for s in raw_path[1:].split("/")]


_SLASH = re.compile(r"(%2[Ff])")


def decoded_path(raw_path: str) -> str:
    """``Request.path``: percent-decoded, except ``%2F`` which stays encoded.

    Keeping ``%2F`` as is (as Kestrel's ``Request.Path`` does) keeps the
    segment structure visible: ``/a%2Fb`` and ``/a/b`` stay different paths.
    """
    return "".join(p if _SLASH.fullmatch(p) else decode_segment(p) for p in _SLASH.split(raw_path))


def match_route(route: Route, segments: list[str]) -> dict[str, str] | None:
    """The route's params for these decoded segments, or None if it does not match."""
    params: dict[str, str] = {}
    for i, seg in enumerate(route.segments):
        if seg.kind == CATCH_ALL:
            params[seg.value] = "/".join(segments[i:])
            return params
        if i >= len(segments):
            return None
        if seg.kind == LITERAL:
            if segments[i] != seg.value:
                return None
        else:
            if segments[i] == "":
                return None
            params[seg.value] = segments[i]
    return params if len(segments) == len(route.segments) else None


@dataclass
class Match:
    """The outcome of routing one request."""

    route: Route | None = None
    params: dict[str, str] = field(default_factory=dict)
    allow: tuple[str, ...] = ()  # set when the path matched but the method did not

    @property
    def status(self) -> int:
        if self.route is not None:
            return 200
        return 405 if self.allow else 404


class Router:
    """The routing table of one loaded script."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, route: Route) -> None:
        for other in self.routes:
            if other.shape == route.shape:
                clash = sorted(set(other.methods) & set(route.methods))
                if clash:
                    raise RouteError(
                        f"{route.where}: route {', '.join(clash)} {route.pattern!r} clashes with"
                        f" {other.pattern!r} registered at {other.where}"
                    )
        route.order = len(self.routes)
        self.routes.append(route)

    def match(self, method: str, raw_path: str) -> Match:
        segments = split_path(raw_path)
        candidates = []
        for route in self.routes:
            params = match_route(route, segments)
            if params is not None:
                candidates.append((route, params))
        if not candidates:
            return Match()
        # Precedence: per-segment kind (literal < param < catch-all), shorter
        # pattern first when one is a prefix of the other; then, for HEAD, a
        # route naming HEAD itself before a GET route serving it.
        candidates.sort(key=lambda c: (c[0].rank, c[0].order))
        for route, params in candidates:
            if method in route.methods:
                return Match(route, params)
            if method == "HEAD" and "GET" in route.methods:
                explicit = [
                    (r, p) for r, p in candidates if r.rank == route.rank and "HEAD" in r.methods
                ]
                return Match(*explicit[0]) if explicit else Match(route, params)
        allowed = {m for route, _ in candidates for m in route.methods}
        if "GET" in allowed:
            allowed.add("HEAD")
        return Match(allow=tuple(sorted(allowed)))


def allow_header(methods: tuple[str, ...]) -> str:
    return ", ".join(methods)
