"""Wrap-around middleware: time every request and turn the host's 404 into a JSON body.

A middleware with two parameters, ``(req, call_next)``, wraps the rest of the chain:
``await call_next(req)`` runs the later middleware and the route and returns their Response,
including the host's own 404/405/413 and the 500 of a handler that raised. Because a wrapper is
registered, unmatched requests pass through it too (guards are skipped for them).

    curl -i http://127.0.0.1:8080/users/7
    curl -i http://127.0.0.1:8080/nope
"""

import json
import time

from siphon import http


@http.middleware
async def timing(req, call_next):
    started = time.monotonic()
    resp = await call_next(req)
    headers = {**resp.headers, "x-elapsed-ms": f"{(time.monotonic() - started) * 1000:.1f}"}
    if resp.status == 404:
        headers["content-type"] = "application/json"
        return resp.replace(headers=headers, body=json.dumps({"error": "not found", "path": req.path}))
    # replace() keeps the body, bytes or a stream (rebuilding from resp.body would fail on a stream).
    return resp.replace(headers=headers)


@http.route("/users/{id}")
async def user(req):
    return http.Response(200, {"content-type": "application/json"}, json.dumps({"id": req.path_params["id"]}))
