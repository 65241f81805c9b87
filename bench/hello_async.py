"""examples/hello.py with ``async def`` handlers, for bench/run.sh's ``siphon-async`` server: the same
two routes and bytes, so Siphon's async dispatch is measured beside Starlette's ``async def``
endpoints (bench/peers/starlette_app.py)."""

import json

from siphon import http


@http.route("/hello")
async def hello(req):
    return http.Response(200, {"content-type": "text/plain; charset=utf-8"}, "hello, world")


@http.route("/users/{id}")
async def user(req):
    body = json.dumps({"id": req.path_params["id"]})
    return http.Response(200, {"content-type": "application/json"}, body)
