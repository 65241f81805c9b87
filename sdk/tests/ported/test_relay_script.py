"""A test in the style of one written for siphon-http's SDK, kept as such a test is written:
``mock_module.install()`` first, the script module imported by the test itself before the
harness loads it, ``config=``, ``path_params=``, ``harness.http``, ``harness.log.messages``
and ``sent_requests``. It must pass unmodified; that is the compatibility promise."""

import json
import os
import sys

import pytest

from siphon_sdk import mock_module

mock_module.install()

sys.path.insert(0, os.path.dirname(__file__))
import relay_script  # noqa: E402,F401  (the original's tests import the script module first)

from siphon_sdk.http import HttpStatusError, MockResponse  # noqa: E402
from siphon_sdk.http_testing import HttpTestHarness  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(__file__), "relay_script.py")
CONFIG = {"clients": {"relay": {"base_url": "https://relay.example.com"}}}


@pytest.fixture
def harness():
    h = HttpTestHarness(config=CONFIG)
    h.load_script(SCRIPT)
    yield h
    h.close()


def test_module_level_client_and_import_before_load_do_not_clash(harness):
    assert relay_script.RELAY.name == "relay"
    assert harness.request("POST", "/accounts/a/messages", headers={"Authorization": "Bearer t"}, body="{}").status == 202
    assert len(harness.sent_requests) == 1  # one route answered, once


def test_happy_path(harness):
    harness.http.add_response(MockResponse(status=201, headers={"X-Message-Id": "m-1"}, body=b"{}"))
    resp = harness.request(
        "POST",
        "/accounts/acme/messages?priority=high",
        headers={"Authorization": "Bearer t0k"},
        body=json.dumps({"to": "+100", "text": "hi"}),
    )
    assert resp.status == 202
    assert json.loads(resp.body) == {"id": "m-1", "priority": "high"}
    sent = harness.sent_requests[0]
    assert sent["method"] == "POST"
    assert sent["url"] == "https://relay.example.com/v2/acme/outbox"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert json.loads(sent["body"]) == {"to": "+100", "text": "hi"}
    assert ("info", "account acme: queued m-1") in harness.log.messages


def test_path_params_override(harness):
    resp = harness.request(
        "POST", "/accounts/acme/messages", path_params={"account": "other"},
        headers={"Authorization": "Bearer t"}, body="{}",
    )
    assert resp.status == 202
    assert harness.sent_requests[0]["url"].endswith("/v2/other/outbox")


def test_nothing_canned_is_an_empty_200(harness):
    resp = harness.request("POST", "/accounts/a/messages", headers={"Authorization": "Bearer t"}, body="{}")
    assert resp.status == 202
    assert json.loads(resp.body)["id"] is None


def test_upstream_error_is_caught_as_runtime_error(harness):
    harness.http.add_response(MockResponse(status=500, body=b"down"))
    resp = harness.request("POST", "/accounts/a/messages", headers={"Authorization": "Bearer t"}, body="{}")
    assert resp.status == 502
    level, message = harness.log.messages[-1]
    assert level == "warn"
    assert message.startswith("account a: relay failed: HTTP status 500")
    assert issubclass(HttpStatusError, RuntimeError)


def test_missing_token_warns_and_log_clear(harness):
    assert harness.request("POST", "/accounts/a/messages", body="{}").status == 401
    assert harness.log.messages == [("warn", "account a: no bearer token")]
    harness.log.clear()
    assert harness.log.messages == []
    assert harness.sent_requests == []


def test_reset_then_load_again(harness):
    harness.http.add_response(MockResponse(status=500))
    harness.reset()
    assert harness.sent_requests == [] and harness.log.messages == []
    harness.load_script(SCRIPT)
    resp = harness.request("POST", "/accounts/a/messages", headers={"Authorization": "Bearer t"}, body="{}")
    assert resp.status == 202  # the canned 500 went with the reset


def test_mock_module_reset_clears_the_latest_harness(harness):
    harness.http.add_response(MockResponse(status=500))
    harness.request("POST", "/accounts/a/messages", body="{}")
    mock_module.reset()
    assert harness.log.messages == [] and harness.sent_requests == []
    assert harness.request("POST", "/accounts/a/messages", body="{}").status == 404  # registrations went too
