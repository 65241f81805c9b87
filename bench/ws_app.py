"""bench/ws.sh's Siphon app: a websocket echo (the same as bench/peers/starlette_ws_app.py's)."""
from siphon import http


@http.websocket("/echo")
async def echo(ws):
    await ws.accept()
    async for msg in ws:
        await ws.send(msg)
