"""The wrap-around middleware parity script: guards and wrappers in one registration order.

Run by sdk/tests/test_parity.py under HttpTestHarness and, with cases_wrap.json, against the real
host over sockets (tests/Siphon.Runtime.Tests/EndToEnd/ParityTests.cs). Registration order:
first_guard, outer (async wrapper), middle_guard, inner (plain wrapper), then the route.

    curl -i http://127.0.0.1:8080/nope -H 'x-json-404: 1'
"""

import asyncio
import json

from siphon import http

TEXT = {"content-type": "text/plain; charset=utf-8"}


def with_header(resp, name, value):
    # replace() keeps what it is not given: the body, bytes or a stream, and repeated header lines.
    return resp.replace(headers={**resp.headers, name: value})


async def observed(chunks, seen):
    # A wrapper that watches a streamed body to its end: the last chunk reports what went through.
    n = 0
    async for chunk in chunks:
        n += len(chunk)
        yield chunk
    seen.append(n)
    yield f"|observed {n} bytes"


@http.middleware
def first_guard(req):
    if req.header("x-stop") == "first":
        return http.Response(403, TEXT, "stopped by first\n")
    return None


@http.middleware
async def outer(req, call_next):
    if req.header("x-short") is not None:
        return http.Response(202, TEXT, "short-circuited by outer\n")
    if req.header("x-bad-wrap") is not None:
        return {"not": "a Response"}
    if req.header("x-raise-wrap") is not None:
        raise RuntimeError("outer failed on purpose")
    if req.header("x-set-rid") is not None:
        req.headers["x-request-id"] = req.header("x-set-rid") + "-set-by-outer"
    resp = await call_next(req)
    if req.header("x-naive") is not None:
        # The trap this guards against: .body of a streamed Response raises (a 500), never b"".
        return http.Response(resp.status, {**resp.headers, "x-naive": "1"}, resp.body)
    if req.header("x-mutate") is not None:
        resp.headers["x-mutated"] = "1"  # refused (TypeError naming replace()): a 500, not a silent no-op
        return resp
    if req.header("x-observe") is not None:
        return resp.replace(headers={**resp.headers, "x-outer": "1"}, body=observed(resp.stream(), []))
    if req.header("x-twice") is not None:
        try:
            await call_next(req)
        except RuntimeError:
            pass  # swallowing the error does not save the request: it is a 500 anyway
    if resp.status == 404 and req.header("x-json-404") is not None:
        return http.Response(404, {"content-type": "application/json", "x-outer": "1"}, json.dumps({"error": "not found", "path": req.path}))
    if resp.status == 500 and req.header("x-rewrite-500") is not None:
        return http.Response(502, TEXT, f"outer saw {resp.status}\n")
    return with_header(resp, "x-outer", "1")


@http.middleware
async def middle_guard(req):
    if req.header("x-stop") == "middle":
        return http.Response(403, TEXT, "stopped by middle\n")
    return None


@http.middleware
def inner(req, call_next):
    resp = call_next(req)
    return with_header(resp, "x-inner", str(resp.status))


@http.route("/users/{id}")
def user(req):
    return http.Response(200, TEXT, f"user {req.path_params['id']}\n")


@http.route("/async/{id}")
async def async_user(req):
    await asyncio.sleep(0)
    return http.Response(200, TEXT, f"async {req.path_params['id']}\n")


@http.route("/raise")
def raises(req):
    raise ValueError("handler failed on purpose: secret detail")


@http.route("/async-raise")
async def async_raises(req):
    await asyncio.sleep(0)
    raise ValueError("async handler failed on purpose: secret detail")


@http.route("/wrong")
def returns_wrong_type(req):
    return "a str is not a Response"


@http.route("/streamed")
async def streamed(req):
    async def gen():
        for part in ("alpha ", "beta ", "gamma"):
            await asyncio.sleep(0)
            yield part
    return http.Response(200, [("content-type", "text/plain; charset=utf-8"), ("x-dup", "1"), ("x-dup", "2")], gen())


@http.route("/rid")
def rid(req):
    return http.Response(200, TEXT, f"header={req.header('X-Request-Id')} headers={req.headers.get('x-request-id')}\n")


@http.route("/body", methods=["POST"])
def body(req):
    return http.Response(200, TEXT, req.body())
