"""req.trace_id, req.span_id and req.span under the SDK: off by default (as on the host without
http.yaml's ``tracing:``), ids with ``HttpTestHarness(tracing=True)``, and what a script adds to its
span kept on ``harness.spans`` for the test to read."""

import pytest

from siphon_sdk.http import MockRequest, MockSpan

SCRIPT = '''
from siphon import http

@http.middleware
async def wrap(req, call_next):
    req.span.add_event("wrapped", {"depth": 1, "ok": True})
    return await call_next(req)

@http.route("/items/{id}")
def item(req):
    req.span.set_attribute("item.id", req.path_params["id"])
    req.span.set_attribute("item.weight", 2.5)
    return http.Response(200, {}, f"{req.trace_id} {req.span_id} {req.span.is_recording}")
'''


def test_off_by_default_the_ids_are_none_and_the_span_records_for_the_test(load):
    h = load(SCRIPT)
    assert h.request("GET", "/items/7").body == b"None None False"
    (span,) = h.spans
    assert span.attributes == {"item.id": "7", "item.weight": 2.5}
    assert span.events == [("wrapped", {"depth": 1, "ok": True})]


def test_with_tracing_a_traceparent_is_continued_with_a_new_span(load):
    h = load(SCRIPT, tracing=True)
    caller = "4bf92f3577b34da6a3ce929d0e0e4736"
    trace, span, recording = h.request("GET", "/items/1", headers={"traceparent": f"00-{caller}-00f067aa0ba902b7-01"}).body.decode().split()
    assert (trace, recording) == (caller, "True")
    assert len(span) == 16 and span != "00f067aa0ba902b7"
    fresh, _, _ = h.request("GET", "/items/2").body.decode().split()
    assert len(fresh) == 32 and fresh != caller
    assert [s.attributes["item.id"] for s in h.spans] == ["1", "2"]


def test_bad_attribute_values_are_refused_as_on_the_host():
    span = MockRequest(trace_id="a" * 32, span_id="b" * 16).span
    assert isinstance(span, MockSpan) and span.is_recording
    with pytest.raises(TypeError, match="value must be str, int, float or bool, got list"):
        span.set_attribute("k", [1])
    with pytest.raises(ValueError, match="key must not be empty"):
        span.set_attribute("", 1)
    with pytest.raises(TypeError, match=r"attributes\[k\] must be str, int, float or bool, got NoneType"):
        span.add_event("e", {"k": None})
    with pytest.raises(TypeError, match="attributes must be a dict"):
        span.add_event("e", [("k", 1)])
    assert span.attributes == {} and span.events == []
