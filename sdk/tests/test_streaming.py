"""Streaming bodies in the mock: stream=True routes, req.stream(), streamed Responses, Client.stream()."""

import asyncio

import pytest

from siphon_sdk.http import BodyTooLargeError, MockResponse
from siphon_sdk.http_testing import HttpTestHarness

SCRIPT = '''
import asyncio, json
from siphon import http

@http.route("/up", methods=["POST"], stream=True)
async def up(req):
    sizes = [len(c) async for c in req.stream()]
    return http.Response(200, {}, json.dumps(sizes))

@http.route("/body", methods=["POST"], stream=True)
async def body(req):
    return http.Response(200, {}, req.body())

@http.route("/twice", methods=["POST"], stream=True)
async def twice(req):
    req.stream()
    req.stream()

@http.route("/caught", methods=["POST"], stream=True)
async def caught(req):
    try:
        async for c in req.stream():
            pass
    except http.BodyTooLargeError as e:
        return http.Response(200, {}, "caught " + str(e))
    return http.Response(200, {}, "complete")

@http.route("/buffered", methods=["POST"])
async def buffered(req):
    return http.Response(200, {}, json.dumps([len(c) async for c in req.stream()]))

@http.route("/down")
async def down(req):
    async def gen():
        yield b"ab"
        yield "cd"
        yield bytearray(b"ef")
    return http.Response(200, {"content-type": "text/plain"}, body=gen())

@http.route("/slow-first")
async def slow_first(req):
    async def gen():
        await asyncio.sleep(0.5)
        yield b"late"
    return http.Response(200, {}, body=gen())

@http.route("/boom")
async def boom(req):
    async def gen():
        yield b"a"
        raise ValueError("broke mid-stream")
    return http.Response(200, {}, body=gen())

@http.route("/boom-first")
async def boom_first(req):
    async def gen():
        raise ValueError("broke first")
        yield b""
    return http.Response(200, {}, body=gen())

@http.route("/relay")
async def relay(req):
    async def gen():
        yield b"part1-"
        yield b"part2"
    async with http.Client("up").stream("POST", "/in", body=gen(), headers={"x-a": "1"}) as resp:
        data = b"".join([c async for c in resp.aiter_bytes()])
    return http.Response(resp.status, {}, data)
'''


@pytest.fixture
def h():
    harness = HttpTestHarness(max_body_bytes=100, request_timeout_ms=200, clients={"up": "http://up"})
    harness.load_source(SCRIPT, "stream_script.py")
    yield harness
    harness.close()


def test_stream_route_reads_chunks_as_sent(h):
    assert h.request("POST", "/up", body=[b"a" * 10, b"", "bb", b"c" * 30]).body == b"[10, 2, 30]"
    assert h.request("POST", "/up", body=b"x" * 50).body == b"[50]"
    assert h.request("POST", "/up").body == b"[]"


def test_max_body_bytes_while_streaming_is_413_unless_the_handler_answers(h):
    assert h.request("POST", "/up", body=[b"x" * 60, b"x" * 60]).status == 413
    assert h.request("POST", "/up", body=b"x" * 101).status == 413  # a declared length: refused before dispatch
    assert h.request("POST", "/up", body=[b"x" * 50, b"x" * 50]).status == 200  # exactly at the cap
    resp = h.request("POST", "/caught", body=[b"x" * 60, b"x" * 60])
    assert resp.status == 200 and resp.body.startswith(b"caught the request body is larger than max_body_bytes (100)")


def test_body_on_a_stream_route_raises_and_stream_reads_once(h):
    assert h.request("POST", "/body", body=b"hi").status == 500
    assert "req.body() is not available on a stream=True route (POST /body)" in h.log[-1][1]
    assert h.request("POST", "/twice", body=b"hi").status == 500
    assert "can be read once" in h.log[-1][1]


def test_buffered_route_stream_yields_one_chunk(h):
    assert h.request("POST", "/buffered", body=[b"a" * 10, b"b" * 5]).body == b"[15]"
    assert h.request("POST", "/buffered").body == b"[]"


def test_streamed_response_is_collected(h):
    resp = h.request("GET", "/down")
    assert resp.status == 200 and resp.body == b"abcdef"
    assert resp.headers == {"content-type": "text/plain"}
    assert h.request("HEAD", "/down").body == b""


def test_first_chunk_is_due_within_the_request_timeout(h):
    assert h.request("GET", "/slow-first").status == 504


def test_a_producer_that_raises(h):
    assert h.request("GET", "/boom-first").status == 500
    with pytest.raises(ConnectionAbortedError, match="after 1 chunk"):
        h.request("GET", "/boom")
    assert isinstance(h.errors[-1], ValueError)
    assert "aborting the response" in h.log[-1][1]


def test_client_stream_sends_an_async_iterable_and_reads_chunks(h):
    async def upstream_body():
        yield b"u1"
        yield b"u2"

    h.set_response("/in", MockResponse(201, {"X-Up": "yes"}, upstream_body()))
    resp = h.request("GET", "/relay")
    assert resp.status == 201 and resp.body == b"u1u2"
    sent = h.sent_requests[-1]
    assert sent["method"] == "POST" and sent["body"] == b"part1-part2" and sent["headers"] == {"x-a": "1"}


def test_stream_route_needs_an_async_handler():
    harness = HttpTestHarness()
    with pytest.raises(TypeError, match=r"stream=True\) needs an async def handler"):
        harness.load_source("from siphon import http\n@http.route('/x', stream=True)\ndef x(req):\n    pass\n", "bad.py")
    harness.close()


def test_body_stream_limit_is_a_runtime_error_subclass():
    assert issubclass(BodyTooLargeError, RuntimeError)
    assert asyncio  # the module runs on the harness's own loop
