import pytest

from siphon_sdk.http import ConnectError, MockResponse


@pytest.fixture
def proxy(script):
    return script("stream_proxy", clients={"files": "http://files:9000/store"})


def test_relays_the_upstream_body_status_and_content_headers(proxy):
    async def body():
        for i in range(20):
            yield bytes([i]) * 100_000  # 2 MB in all, never held by the script

    proxy.set_response("/store/big.iso", MockResponse(200, {"Content-Type": "application/x-iso9660-image", "X-Internal": "1"}, body()))
    resp = proxy.request("GET", "/files/big.iso")
    assert resp.status == 200
    assert resp.body == b"".join(bytes([i]) * 100_000 for i in range(20))
    assert resp.headers == {"content-type": "application/x-iso9660-image"}
    sent = proxy.sent_requests[-1]
    assert sent["method"] == "GET" and sent["url"] == "http://files:9000/store/big.iso"


def test_upstream_status_passes_through(proxy):
    proxy.set_response("/store/missing", MockResponse(404, {"content-type": "text/plain"}, "no such file"))
    resp = proxy.request("GET", "/files/missing")
    assert resp.status == 404 and resp.body == b"no such file"


def test_unreachable_upstream_is_502(proxy):
    proxy.add_response(ConnectError("refused"))
    resp = proxy.request("GET", "/files/x")
    assert resp.status == 502
    assert b"upstream unavailable" in resp.body
