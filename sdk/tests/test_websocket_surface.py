"""``ws`` has every member ``http.Request`` has, except the body readers (an upgrade has no body):
checked on the generated stubs (the runtime's C# surface) and on the mock."""

import ast
import pathlib

from siphon_sdk import http

BODY_READERS = {"body", "json", "form", "stream"}
STUBS = pathlib.Path(__file__).resolve().parents[2] / "stubs" / "siphon" / "http.pyi"


def _members(tree, name):
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    return {n.name for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_")}


def test_the_runtime_websocket_has_the_request_members():
    tree = ast.parse(STUBS.read_text())
    missing = _members(tree, "Request") - BODY_READERS - _members(tree, "WebSocket")
    assert not missing, f"http.WebSocket lacks http.Request's {sorted(missing)} (Siphon.Runtime/Http/ServerWebSocket.cs)"


def test_the_mock_websocket_has_the_request_members():
    public = lambda cls: {n for n in vars(cls) if not n.startswith("_")}  # noqa: E731
    missing = public(http.MockRequest) - BODY_READERS - public(http.MockWebSocket)
    assert not missing, f"MockWebSocket lacks MockRequest's {sorted(missing)}"
