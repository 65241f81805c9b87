"""uvicorn + Starlette peer for bench/run.sh: the same two routes as examples/hello.py.

    /usr/bin/python3 -m uvicorn starlette_app:app --app-dir bench/peers --loop uvloop --http httptools

The JSON body is built with json.dumps, as examples/hello.py does, so the bytes match Siphon's.
"""

import json

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse("hello, world")


async def user(request):
    body = json.dumps({"id": request.path_params["id"]})
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/hello", hello), Route("/users/{id}", user)])
