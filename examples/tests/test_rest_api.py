import json

import pytest

from siphon_sdk.http import ClientTimeoutError, ConnectError, MockResponse
from siphon_sdk.http_testing import HttpTestHarness


def put(h, item_id, doc):
    return h.request("PUT", f"/items/{item_id}", headers={"content-type": "application/json"}, body=json.dumps(doc))


def test_issue_acceptance_example():
    # Verbatim from the acceptance text, run from the repository root's view.
    import os
    from pathlib import Path

    cwd = os.getcwd()
    os.chdir(Path(__file__).resolve().parents[2])
    try:
        harness = HttpTestHarness()
        harness.add_response(MockResponse(status=200, body=b'{"name":"alice"}'))
        harness.load_script("examples/rest_api.py")
        resp = harness.request("GET", "/users/42")
        assert harness.sent_requests[0]["path"] == "/v1/users/42"
    finally:
        os.chdir(cwd)
    assert resp.status == 200
    assert json.loads(resp.body) == {"name": "alice"}
    harness.close()


class TestItems:
    def test_put_then_get(self, script):
        h = script("rest_api")
        resp = put(h, "1", {"name": "apple", "qty": 3})
        assert resp.status == 200
        assert json.loads(resp.body) == {"name": "apple", "qty": 3, "id": "1"}
        got = h.request("GET", "/items/1")
        assert got.status == 200 and got.headers["content-type"] == "application/json"
        assert json.loads(got.body) == {"name": "apple", "qty": 3, "id": "1"}
        assert ("info", "stored item 1") in h.log

    def test_put_replaces_and_path_id_wins(self, script):
        h = script("rest_api")
        put(h, "1", {"name": "apple"})
        resp = put(h, "1", {"name": "pear", "id": "999"})
        assert json.loads(resp.body) == {"name": "pear", "id": "1"}
        assert json.loads(h.request("GET", "/items").body) == [{"name": "pear", "id": "1"}]

    def test_list_and_limit(self, script):
        h = script("rest_api")
        assert json.loads(h.request("GET", "/items").body) == []
        for i in range(3):
            put(h, str(i), {"n": i})
        assert [d["id"] for d in json.loads(h.request("GET", "/items").body)] == ["0", "1", "2"]
        assert [d["id"] for d in json.loads(h.request("GET", "/items?limit=2").body)] == ["0", "1"]
        assert json.loads(h.request("GET", "/items", query_params={"limit": "0"}).body) == []
        assert len(json.loads(h.request("GET", "/items?limit=100").body)) == 3

    @pytest.mark.parametrize("limit", ["-1", "abc", "1.5", "", "\u00b2", "99999999999"])
    def test_bad_limit(self, script, limit):
        h = script("rest_api")
        resp = h.request("GET", "/items", query_params={"limit": limit})
        assert resp.status == 400
        assert "limit" in json.loads(resp.body)["error"]

    @pytest.mark.parametrize("body", ["not json", "[1, 2]", '"str"', "42", "\xff", ""])
    def test_bad_body(self, script, body):
        h = script("rest_api")
        resp = h.request("PUT", "/items/1", body=body.encode("latin-1"))
        assert resp.status == 400
        assert "error" in json.loads(resp.body)
        assert h.request("GET", "/items/1").status == 404

    def test_delete(self, script):
        h = script("rest_api")
        put(h, "1", {"a": 1})
        resp = h.request("DELETE", "/items/1")
        assert (resp.status, resp.body) == (204, b"")
        assert h.request("GET", "/items/1").status == 404
        assert h.request("DELETE", "/items/1").status == 404

    def test_unknown_id(self, script):
        h = script("rest_api")
        resp = h.request("GET", "/items/nope")
        assert resp.status == 404 and json.loads(resp.body) == {"error": "no item nope"}

    def test_state_is_per_harness(self, script):
        a = script("rest_api")
        put(a, "1", {"a": 1})
        b = script("rest_api")
        assert b.request("GET", "/items/1").status == 404

    def test_method_not_allowed(self, script):
        h = script("rest_api")
        resp = h.request("POST", "/items/1")
        assert resp.status == 405 and resp.headers["allow"] == "DELETE, GET, HEAD, PUT"


class TestUsersUpstream:
    def test_named_client_and_path(self, script):
        h = script("rest_api", clients=["users"])
        h.set_response("/v1/users/42", MockResponse(200, {"Content-Type": "application/vnd.user+json"}, b'{"n":1}'))
        resp = h.request("GET", "/users/42")
        assert (resp.status, resp.body) == (200, b'{"n":1}')
        assert resp.headers == {"content-type": "application/vnd.user+json"}
        sent = h.sent_requests[0]
        assert (sent["name"], sent["method"], sent["path"]) == ("users", "GET", "/v1/users/42")
        assert sent["headers"] == {"accept": "application/json"}

    def test_upstream_status_passed_through_with_default_content_type(self, script):
        h = script("rest_api")
        h.add_response(MockResponse(404, body=b'{"error":"no such user"}'))
        resp = h.request("GET", "/users/7")
        assert resp.status == 404
        assert resp.headers["content-type"] == "application/json"
        assert resp.body == b'{"error":"no such user"}'

    def test_id_is_re_encoded(self, script):
        h = script("rest_api")
        h.set_default_response(MockResponse(200))
        h.request("GET", "/users/a%2Fb%20c")
        assert h.sent_requests[0]["path"] == "/v1/users/a%2Fb%20c"

    @pytest.mark.parametrize("error", [ConnectError("refused"), ClientTimeoutError("slow")])
    def test_client_error_is_502(self, script, error):
        h = script("rest_api")
        h.add_response(error)
        resp = h.request("GET", "/users/1")
        assert resp.status == 502
        assert resp.body == b"upstream unavailable\n"
        assert h.log[-1][0] == "warn"  # log.warning records as "warn"

    def test_unconfigured_client_is_502_as_it_is_a_client_error(self, script):
        h = script("rest_api", clients=["billing"])
        assert h.request("GET", "/users/1").status == 502
        assert "UnknownClientError" in h.log[-1][1] and "'users'" in h.log[-1][1]
