"""uvicorn + Starlette websocket echo for bench/ws.sh (the same as bench/ws_app.py):

    /usr/bin/python3 -m uvicorn starlette_ws_app:app --app-dir bench/peers --loop uvloop --ws websockets
"""

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect


async def echo(websocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


app = Starlette(routes=[WebSocketRoute("/echo", echo)])
