"""A chat room over WebSockets that broadcasts within one worker: every message a member sends goes
to every member of the same room. A member needs a name (?name=...); a guard refuses the upgrade
without one (400), as it would refuse any request.

Module globals are per worker (docs/script-api.md, "State and workers"): with `workers: N`, a room
spans only the members that landed on the same worker. Run it with one worker, or keep rooms in a
shared store.

    ./siphon run examples/chat_room.py
    python3 -m websockets 'ws://127.0.0.1:8080/rooms/lobby?name=ada'     # Debian: python3-websockets
    curl -i 'http://127.0.0.1:8080/rooms/lobby?name=ada'                 # 426: not an upgrade
"""
from siphon import http

rooms: dict[str, set[http.WebSocket]] = {}  # room -> the open sockets in it (this worker's)


@http.middleware
def needs_name(req):
    if req.path.startswith("/rooms/") and not req.query_params.get("name"):
        return http.Response(400, {"content-type": "text/plain"}, "join with ?name=...\n")
    return None


async def broadcast(room: str, text: str) -> None:
    for member in list(rooms.get(room, set())):
        try:
            await member.send(text)
        except http.WebSocketDisconnect:
            pass  # that member left meanwhile; its own handler removes it


@http.websocket("/rooms/{room}")
async def chat(ws):
    room, name = ws.path_params["room"], ws.query_params["name"]
    await ws.accept()
    members = rooms.setdefault(room, set())
    members.add(ws)
    await broadcast(room, f"* {name} joined ({len(members)} here)")
    try:
        async for msg in ws:
            if isinstance(msg, str):
                await broadcast(room, f"{name}: {msg}")
    finally:
        members.discard(ws)
        if not members:
            rooms.pop(room, None)
        await broadcast(room, f"* {name} left")
