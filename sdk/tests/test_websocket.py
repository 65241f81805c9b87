"""HttpTestHarness.websocket: an @http.websocket route exercised without a server, with the host's
rules (tests of the host itself: tests/Siphon.Runtime.Tests/WebSockets)."""

import asyncio

import pytest

from siphon_sdk.http_testing import HttpTestHarness
from siphon_sdk.http import WebSocketDisconnect
from siphon_sdk.websocket_testing import WebSocketRejected

SCRIPT = '''
from siphon import http

seen = []

@http.middleware
async def guard(req):
    if req.query_params.get("deny"):
        return http.Response(401, {}, "denied")
    return None

@http.websocket("/echo/{room}")
async def echo(ws):
    await ws.accept(subprotocol="chat.v1")
    await ws.send("room " + ws.path_params["room"])
    try:
        async for msg in ws:
            await ws.send(msg)
    finally:
        seen.append("ended")

@http.websocket("/never")
async def never(ws):
    return

@http.websocket("/boom")
async def boom(ws):
    await ws.accept()
    await ws.receive()
    raise ValueError("boom")

@http.websocket("/hold")
async def hold(ws):
    await ws.accept()
    try:
        await ws.receive()
    except http.WebSocketDisconnect as e:
        seen.append((e.code, e.reason))
'''


@pytest.fixture
def harness():
    with HttpTestHarness() as h:
        yield h, h.load_source(SCRIPT, "ws_script.py")


def test_echo_text_and_binary(harness):
    h, module = harness

    async def main():
        async with h.websocket("/echo/r1") as ws:
            assert ws.subprotocol == "chat.v1"
            assert await ws.receive() == "room r1"
            await ws.send("hi")
            assert await ws.receive() == "hi"
            await ws.send(b"\x00\x01")
            assert await ws.receive() == b"\x00\x01"

    asyncio.run(main())
    assert module.seen == ["ended"]  # a normal close ended the handler's `async for`


def test_refusals(harness):
    h, _ = harness

    async def status(path):
        with pytest.raises(WebSocketRejected) as e:
            async with h.websocket(path):
                pass
        return e.value.status

    assert asyncio.run(status("/never")) == 403
    assert asyncio.run(status("/echo/r1?deny=1")) == 401
    assert asyncio.run(status("/missing")) == 404


def test_close_codes(harness):
    h, module = harness

    async def main():
        async with h.websocket("/boom") as ws:
            await ws.send("go")
            with pytest.raises(WebSocketDisconnect) as e:
                await ws.receive()
            assert e.value.code == 1011
        async with h.websocket("/hold") as ws:
            await ws.close(4001, "bye")
        async with h.websocket("/echo/r2", max_message_bytes=4) as ws:
            await ws.receive()
            await ws.send("12345")
            with pytest.raises(WebSocketDisconnect) as e:
                await ws.receive()
            assert e.value.code == 1009

    asyncio.run(main())
    assert [type(e) for e in h.errors] == [ValueError]
    assert (4001, "bye") in module.seen


def test_a_def_handler_fails_the_load_naming_the_line():
    with HttpTestHarness() as h:
        with pytest.raises(TypeError, match=r"bad\.py:3: @http\.websocket\('/ws'\) needs an async def handler"):
            h.load_source("from siphon import http\n\n@http.websocket('/ws')\ndef plain(ws):\n    pass\n", "bad.py")
