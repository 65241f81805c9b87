"""examples/notify.py: relaying, validation, and client failures caught as RuntimeError and logged with log.warn."""

import json

import pytest

from siphon_sdk.http import ClientTimeoutError, ConnectError, MockResponse, TlsError

CONFIG = {"clients": {"notifier": {"base_url": "https://notify.internal/api"}}}


@pytest.fixture
def notify(script):
    return script("notify", config=CONFIG)


def post(h, channel, doc, **kw):
    return h.request("POST", f"/notify/{channel}", body=json.dumps(doc), **kw)


def test_relays_and_answers_202_with_the_upstream_id(notify):
    notify.add_response(MockResponse(201, {"X-Notification-Id": "n-17"}))
    resp = post(notify, "sms", {"to": "+15550100", "text": "hi"}, headers={"Idempotency-Key": "k1"})
    assert resp.status == 202
    assert json.loads(resp.body) == {"id": "n-17", "channel": "sms"}
    sent = notify.sent_requests[0]
    assert (sent["method"], sent["url"]) == ("POST", "https://notify.internal/api/v1/sms")
    assert sent["headers"] == {"content-type": "application/json", "idempotency-key": "k1"}
    assert json.loads(sent["body"]) == {"to": "+15550100", "text": "hi"}
    assert notify.log.messages == [("info", "sms to +15550100 relayed as n-17")]


@pytest.mark.parametrize(
    "answer, reason",
    [
        (MockResponse(503, body="busy"), "HTTP status 503"),
        (ConnectError("POST https://notify.internal/api/v1/email: cannot connect"), "cannot connect"),
        (ClientTimeoutError("no answer within 5000 ms"), "no answer within 5000 ms"),
        (TlsError, "POST https://notify.internal/api/v1/email"),  # a class: raised with the call as its message
    ],
)
def test_client_failures_and_error_statuses_are_caught_as_runtime_error(notify, answer, reason):
    notify.add_response(answer)
    resp = post(notify, "email", {"to": "ada@example.com", "text": "x"})
    assert resp.status == 502
    assert json.loads(resp.body) == {"error": "notifier unavailable"}
    [(level, message)] = notify.log.messages
    assert level == "warn"
    assert message.startswith("email to ada@example.com not relayed: ") and reason in message
    assert notify.errors == []  # caught by the script, not a 500


def test_an_unconfigured_notifier_is_caught_too(script):
    h = script("notify", config={"clients": {"other": {}}})  # loads: the mock checks the name at the first call
    resp = post(h, "push", {"to": "dev-1", "text": "x"})
    assert resp.status == 502
    assert "unknown client 'notifier'" in h.log.messages[-1][1]


def test_nothing_canned_is_an_empty_200_so_the_id_is_none(notify):
    resp = post(notify, "push", {"to": "dev-1", "text": "x"})
    assert (resp.status, json.loads(resp.body)) == (202, {"id": None, "channel": "push"})


@pytest.mark.parametrize(
    "channel, body, status",
    [
        ("fax", {"to": "x", "text": "y"}, 404),
        ("sms", {"text": "no recipient"}, 400),
        ("sms", ["not", "an", "object"], 400),
    ],
)
def test_bad_requests_never_reach_the_notifier(notify, channel, body, status):
    assert post(notify, channel, body).status == status
    assert notify.sent_requests == []


def test_invalid_json_is_400(notify):
    assert notify.request("POST", "/notify/sms", body="{").status == 400


def test_log_clear(notify):
    post(notify, "fax", {})
    notify.add_response(MockResponse(500))
    post(notify, "sms", {"to": "a", "text": "b"})
    assert [level for level, _ in notify.log.messages] == ["warn"]
    notify.log.clear()
    assert notify.log.messages == []
