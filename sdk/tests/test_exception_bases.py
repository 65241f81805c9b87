"""The exception classes have the same bases in the runtime, the stubs and the mock.

The drift analyzer compares these classes by name only; their bases matter to scripts
(``except RuntimeError`` in a ported siphon-http script, ``except KeyError`` around an unknown
client name), so they are compared here, from the source of each side.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "Siphon.Runtime" / "python" / "siphon" / "http.py"
STUB_TEMPLATE = REPO / "Siphon.Runtime" / "python" / "stubs" / "siphon.http.pyi.in"
STUBS = REPO / "stubs" / "siphon" / "http.pyi"
MOCK = REPO / "sdk" / "src" / "siphon_sdk" / "http.py"


def exception_bases(path):
    """{class name: [base names]} for the top-level classes deriving from an exception."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = {n.name: [ast.unparse(b) for b in n.bases] for n in tree.body if isinstance(n, ast.ClassDef)}

    def is_exception(name, seen=()):
        if name in ("Exception", "RuntimeError", "KeyError", "TimeoutError", "ValueError"):
            return True
        return name in classes and name not in seen and any(is_exception(b, seen + (name,)) for b in classes[name])

    return {name: bases for name, bases in classes.items() if any(is_exception(b) for b in bases)}


def test_the_runtime_defines_the_siphon_http_compatible_hierarchy():
    runtime = exception_bases(RUNTIME)
    assert runtime["ClientError"] == ["RuntimeError"]
    assert runtime["HttpStatusError"] == ["RuntimeError"]
    assert runtime["UnknownClientError"] == ["ClientError", "KeyError"]
    assert len(runtime) >= 6


def test_stubs_and_mock_have_the_runtime_bases():
    runtime = exception_bases(RUNTIME)
    for other in (STUB_TEMPLATE, STUBS, MOCK):
        assert exception_bases(other) == runtime, other.relative_to(REPO)
