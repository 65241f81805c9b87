"""Raw ASGI peer for bench/run.sh (uvicorn, no framework): the routes of examples/hello.py.

    /usr/bin/python3 -m uvicorn asgi_app:app --app-dir bench/peers --loop uvloop --http httptools

Routing is a prefix check and a split; the JSON body is json.dumps, as in examples/hello.py.
"""

import json

TEXT = [(b"content-type", b"text/plain; charset=utf-8")]
JSON = [(b"content-type", b"application/json")]
NOT_FOUND = [(b"content-type", b"text/plain; charset=utf-8")]


async def app(scope, receive, send):
    if scope["type"] != "http":  # lifespan: nothing to set up
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        return
    path = scope["path"]
    if path == "/hello":
        status, headers, body = 200, TEXT, b"hello, world"
    elif path.startswith("/users/") and "/" not in path[7:] and len(path) > 7:
        status, headers, body = 200, JSON, json.dumps({"id": path[7:]}).encode()
    else:
        status, headers, body = 404, NOT_FOUND, b"not found"
    headers = headers + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
