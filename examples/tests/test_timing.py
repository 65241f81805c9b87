import json
import re

ELAPSED = re.compile(r"^\d+\.\d$")


def test_a_routed_request_gets_its_elapsed_time(script):
    h = script("timing")
    r = h.request("GET", "/users/7")
    assert r.status == 200
    assert json.loads(r.body) == {"id": "7"}
    assert r.headers["content-type"] == "application/json"
    assert ELAPSED.match(r.headers["x-elapsed-ms"])


def test_an_unknown_path_gets_a_json_404_through_the_wrapper(script):
    h = script("timing")
    r = h.request("GET", "/nope?x=1")
    assert r.status == 404
    assert r.headers["content-type"] == "application/json"
    assert json.loads(r.body) == {"error": "not found", "path": "/nope"}
    assert ELAPSED.match(r.headers["x-elapsed-ms"])


def test_the_hosts_other_answers_pass_through_timed(script):
    h = script("timing", max_body_bytes=4)
    wrong = h.request("POST", "/users/7")
    assert (wrong.status, wrong.headers["allow"], wrong.body) == (405, "GET, HEAD", b"method not allowed\n")
    assert ELAPSED.match(wrong.headers["x-elapsed-ms"])
    big = h.request("GET", "/users/7", body="more than four bytes")
    assert (big.status, big.body) == (413, b"payload too large\n")
    assert ELAPSED.match(big.headers["x-elapsed-ms"])
