"""examples/extensions/pricing.py under the SDK, with a Python test double of its .NET extension
(doubles/acme/pricing.py) on sys.path in place of the assembly the host loads."""
import json
import sys
from pathlib import Path

import pytest

from siphon_sdk.http_testing import HttpTestHarness

HERE = Path(__file__).resolve().parent


@pytest.fixture
def harness(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE / "doubles"))
    for name in ("acme", "acme.pricing"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    h = HttpTestHarness()
    h.load_script(HERE.parent / "pricing.py")
    yield h
    h.close()


def test_a_quote_is_discounted_and_converted(harness):
    r = harness.request("GET", "/quotes/ab-1?price=19.99&discount=10&currency=EUR")
    assert r.status == 200
    assert json.loads(r.body) == {"sku": "ab-1", "price": 19.99, "discounted": 17.99, "currency": "EUR", "total": 16.55}


@pytest.mark.parametrize(("query", "message"), [("price=-1", "a price is never negative"), ("currency=XYZ", "no rate for XYZ")])
def test_the_clients_mistakes_are_400(harness, query, message):
    r = harness.request("GET", f"/quotes/ab-1?{query}")
    assert r.status == 400 and message in r.body.decode()
