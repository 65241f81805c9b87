import json

import pytest

GOOD = {"authorization": "Bearer secret", "content-type": "application/json"}


def test_health_is_open(script):
    h = script("webhook")
    resp = h.request("GET", "/health")
    assert (resp.status, resp.body) == (200, b"ok\n")


def test_accepted_with_token(script):
    h = script("webhook")
    resp = h.request("POST", "/webhook", headers=GOOD, body=json.dumps({"type": "push", "ref": "main"}))
    assert resp.status == 202
    assert resp.headers["content-type"] == "application/json"
    assert json.loads(resp.body) == {"received": "push"}
    assert ("info", "webhook event push") in h.log


@pytest.mark.parametrize(
    "auth",
    [None, "", "Bearer", "Bearer wrong", "Basic secret", "secret", "Bearer secretx", "Bearer secre"],
)
def test_rejected_without_right_token(script, auth):
    h = script("webhook")
    headers = {} if auth is None else {"authorization": auth}
    resp = h.request("POST", "/webhook", headers=headers, body='{"type": "push"}')
    assert resp.status == 401
    assert resp.headers["www-authenticate"] == "Bearer"
    assert h.log[-1][0] == "warn"  # log.warning records as "warn"


def test_scheme_is_case_insensitive(script):
    h = script("webhook")
    assert h.request("POST", "/webhook", headers={"Authorization": "bearer secret"}, body='{"type": "x"}').status == 202


def test_token_from_environment(script, monkeypatch):
    monkeypatch.setenv("WEBHOOK_TOKEN", "t0ken")
    h = script("webhook")
    ok = h.request("POST", "/webhook", headers={"authorization": "Bearer t0ken"}, body='{"type": "x"}')
    assert ok.status == 202
    assert h.request("POST", "/webhook", headers=GOOD, body='{"type": "x"}').status == 401


@pytest.mark.parametrize("body", ["nope", "[]", '{"type": 5}', "{}", ""])
def test_bad_payload(script, body):
    h = script("webhook")
    resp = h.request("POST", "/webhook", headers=GOOD, body=body)
    assert resp.status == 400


def test_guard_runs_only_for_matched_routes(script):
    h = script("webhook")
    # GET /webhook is a 405 from routing: the middleware never sees it
    resp = h.request("GET", "/webhook")
    assert resp.status == 405 and resp.headers["allow"] == "POST"
    assert h.log == []
