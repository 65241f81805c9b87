import pytest

from siphon_sdk.http import ClientTimeoutError, ConnectError, MockResponse


@pytest.fixture
def proxy(script):
    h = script("proxy", clients={"upstream": "http://backend:9000/base"})
    h.set_default_response(
        lambda sent: MockResponse(200, {"Content-Type": "text/plain", "X-Internal": "1"}, f"{sent['method']} {sent['url']}")
    )
    return h


def test_get_with_query(proxy):
    resp = proxy.request("GET", "/a/b?x=1&y=two")
    assert resp.status == 200
    assert resp.body == b"GET http://backend:9000/base/a/b?x=1&y=two"
    assert resp.headers == {"content-type": "text/plain"}  # only the content-type comes back (lower-case, as upstream names arrive)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_methods_with_body(proxy, method):
    resp = proxy.request(method, "/things", body=b'{"a": 1}', headers={"content-type": "application/json"})
    assert resp.body == f"{method} http://backend:9000/base/things".encode()
    sent = proxy.sent_requests[-1]
    assert sent["method"] == method and sent["body"] == b'{"a": 1}'
    assert sent["headers"]["content-type"] == "application/json"


def test_delete(proxy):
    proxy.request("DELETE", "/things/1")
    assert proxy.sent_requests[-1]["method"] == "DELETE"
    assert proxy.sent_requests[-1]["body"] is None


def test_root_path(proxy):
    assert proxy.request("GET", "/").body == b"GET http://backend:9000/base/"


def test_head_is_forwarded_as_get_and_body_dropped(proxy):
    resp = proxy.request("HEAD", "/x")
    assert resp.status == 200 and resp.body == b""
    assert proxy.sent_requests[-1]["method"] == "GET"


def test_hop_by_hop_headers_dropped(proxy):
    proxy.request(
        "GET",
        "/x",
        headers={
            "Connection": "keep-alive, x-private",
            "Keep-Alive": "timeout=5",
            "Transfer-Encoding": "chunked",
            "Upgrade": "h2c",
            "TE": "trailers",
            "Proxy-Authorization": "Basic x",
            "Host": "front",
            "Content-Length": "0",
            "X-Private": "dropped: named in Connection",
            "Authorization": "Bearer kept",
            "Accept": "text/plain",
        },
        client="203.0.113.9:5000",
    )
    assert proxy.sent_requests[-1]["headers"] == {
        "authorization": "Bearer kept",
        "accept": "text/plain",
        "x-forwarded-for": "203.0.113.9",
    }


def test_x_forwarded_for_appended(proxy):
    proxy.request("GET", "/x", headers={"x-forwarded-for": "198.51.100.1"}, client="203.0.113.9:5000")
    assert proxy.sent_requests[-1]["headers"]["x-forwarded-for"] == "198.51.100.1, 203.0.113.9"


def test_path_is_re_encoded(proxy):
    proxy.request("GET", "/a%20b/caf%C3%A9")
    assert proxy.sent_requests[-1]["path"] == "/base/a%20b/caf%C3%A9"


def test_upstream_status_passed_through(script):
    h = script("proxy")
    h.add_response(MockResponse(418, {"content-type": "application/json"}, b'{"teapot": true}'))
    resp = h.request("GET", "/brew")
    assert (resp.status, resp.body, resp.headers) == (418, b'{"teapot": true}', {"content-type": "application/json"})


@pytest.mark.parametrize("error", [ConnectError("refused"), ClientTimeoutError("slow")])
def test_client_error_is_502(script, error):
    h = script("proxy")
    h.add_response(error)
    resp = h.request("POST", "/x", body=b"data")
    assert (resp.status, resp.body) == (502, b"bad gateway\n")


def test_options_not_proxied(proxy):
    resp = proxy.request("OPTIONS", "/x")
    assert resp.status == 405
    assert resp.headers["allow"] == "DELETE, GET, HEAD, PATCH, POST, PUT"
