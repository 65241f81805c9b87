"""Runs the shared dispatch-parity table (tests/parity/) against HttpTestHarness.

The C# team runs the same JSON against the real host over sockets; the format
is documented in tests/parity/README.md and checked here too.
"""

import json
from pathlib import Path

import pytest

from siphon_sdk.http_testing import HttpTestHarness

PARITY = Path(__file__).resolve().parents[2] / "tests" / "parity"
APP = PARITY / "parity_app.py"
CASES = json.loads((PARITY / "cases.json").read_text(encoding="utf-8"))
LIMITS = json.loads((PARITY / "cases_limits.json").read_text(encoding="utf-8"))
WRAP_APP = PARITY / "wrap_app.py"
HELPERS_APP = PARITY / "helpers_app.py"
WRAP = json.loads((PARITY / "cases_wrap.json").read_text(encoding="utf-8"))
HELPERS = json.loads((PARITY / "cases_helpers.json").read_text(encoding="utf-8"))

CASE_KEYS = {"name", "method", "path", "headers", "body", "expect"}


def run_case(harness, case):
    resp = harness.request(case["method"], case["path"], headers=case["headers"], body=case["body"])
    expect = case["expect"]
    assert resp.status == expect["status"], resp.body
    got_headers = {k.lower(): v for k, v in resp.headers.items()}
    for name, value in expect["headers"].items():
        assert got_headers.get(name) == value, f"header {name}: {got_headers}"
    if "json" in expect:
        assert json.loads(resp.body) == expect["json"]
    elif expect["body"] is not None:
        assert resp.body.decode("utf-8") == expect["body"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    with HttpTestHarness() as harness:
        harness.load_script(APP)
        run_case(harness, case)


@pytest.mark.parametrize("case", LIMITS["cases"], ids=[c["name"] for c in LIMITS["cases"]])
def test_limits_case(case):
    with HttpTestHarness(
        max_body_bytes=LIMITS["max_body_bytes"], request_timeout_ms=LIMITS["request_timeout_ms"]
    ) as harness:
        harness.load_script(APP)
        run_case(harness, case)


@pytest.mark.parametrize("case", WRAP["cases"], ids=[c["name"] for c in WRAP["cases"]])
def test_wrap_case(case):
    with HttpTestHarness(max_body_bytes=WRAP["max_body_bytes"], request_timeout_ms=WRAP["request_timeout_ms"]) as harness:
        harness.load_script(WRAP_APP)
        run_case(harness, case)


@pytest.mark.parametrize("case", HELPERS["cases"], ids=[c["name"] for c in HELPERS["cases"]])
def test_helpers_case(case):
    with HttpTestHarness(max_body_bytes=HELPERS["max_body_bytes"], request_timeout_ms=HELPERS["request_timeout_ms"]) as harness:
        harness.load_script(HELPERS_APP)
        run_case(harness, case)


@pytest.mark.parametrize("table", [CASES, LIMITS["cases"], WRAP["cases"], HELPERS["cases"]],
                         ids=["cases", "cases_limits", "cases_wrap", "cases_helpers"])
def test_table_format(table):
    names = [c["name"] for c in table]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in table:
        assert set(case) == CASE_KEYS, case["name"]
        assert case["method"].isupper() and case["path"].startswith("/")
        assert case["body"] is None or isinstance(case["body"], str)
        for name, value in case["headers"].items():
            assert isinstance(value, str) or all(isinstance(v, str) for v in value)
        expect = case["expect"]
        assert isinstance(expect["status"], int)
        assert all(name == name.lower() for name in expect["headers"]), case["name"]
        assert set(expect) in ({"status", "headers", "body"}, {"status", "headers", "json"}), case["name"]


def test_limits_header():
    assert set(LIMITS) == {"max_body_bytes", "request_timeout_ms", "cases"}
    assert set(WRAP) == {"max_body_bytes", "request_timeout_ms", "cases"}
    assert set(HELPERS) == {"max_body_bytes", "request_timeout_ms", "cases"}


def test_table_covers_every_dispatch_row():
    statuses = {c["expect"]["status"] for c in CASES}
    assert {200, 404, 405, 500} <= statuses
    assert any(c["method"] == "HEAD" and c["expect"]["status"] == 200 for c in CASES)
    assert any("x-mw-stop" in c["headers"] for c in CASES)
    assert any("x-mw-bad" in c["headers"] for c in CASES)
    assert {413, 504} <= {c["expect"]["status"] for c in LIMITS["cases"]}
    assert len(CASES) >= 25


def test_every_parity_route_is_exercised():
    with HttpTestHarness() as harness:
        harness.load_script(APP)
        patterns = {pattern for pattern, _ in harness.routes}
    used = set()
    for case in CASES + LIMITS["cases"]:
        with HttpTestHarness() as h:
            h.load_script(APP)
            raw = case["path"].split("?")[0]
            match = h._router.match(case["method"], raw)
            if match.route is not None:
                used.add(match.route.pattern)
    assert patterns - used == set()
