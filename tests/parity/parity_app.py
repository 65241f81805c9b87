"""The dispatch-parity script: one route or middleware per row of docs/script-api.md's dispatch table.

Run by sdk/tests/test_parity.py under HttpTestHarness and, with the same
cases.json / cases_limits.json, against the real host over sockets. Keep it
free of state and of anything that differs between the two (client ports,
timing, automatic headers): the echo routes return only ``x-test-*`` headers.

    curl -i http://127.0.0.1:8080/echo/a%20b/c?x=1 -H 'x-test-one: 1'
    curl -i http://127.0.0.1:8080/hello -H 'x-mw-stop: first'
"""

import asyncio
import json
import time

from siphon import http

TEXT = {"content-type": "text/plain; charset=utf-8"}


def text(body, status=200, **headers):
    return http.Response(status, {**TEXT, **headers}, body)


def echo(req):
    return http.Response(
        200,
        {"content-type": "application/json", "x-method": req.method},
        json.dumps(
            {
                "method": req.method,
                "path": req.path,
                "params": req.path_params,
                "query": req.query_params,
                "headers": {k: v for k, v in req.headers.items() if k.startswith("x-test-")},
            },
            sort_keys=True,
        ),
    )


# ---------------------------------------------------------------- middleware
# Registration order matters: with "x-mw-stop: first" both would answer, and
# the first one must win; with "second" the first returns None and goes on.


@http.middleware
def first_guard(req):
    if req.header("x-mw-stop") == "first":
        return text("stopped by first\n", 403)
    if req.header("x-mw-bad") is not None:
        return 42  # neither a Response nor None → 500
    if req.header("x-mw-raise") is not None:
        raise RuntimeError("middleware failed on purpose")
    return None


@http.middleware
async def second_guard(req):
    if req.header("x-mw-stop") in ("first", "second"):
        return text("stopped by second\n", 403)
    return None


# ---------------------------------------------------------------- literals, HEAD


@http.route("/")
def root(req):
    return text("root\n")


@http.route("/hello")
def hello(req):
    return text("hello\n", **{"x-method": req.method})


@http.route("/trailing")
def trailing_without(req):
    return text("without slash\n")


@http.route("/trailing/")
def trailing_with(req):
    return text("with slash\n")


@http.route("/unicode")
def unicode(req):
    return text("h\u00e9llo \u2713\n")


@http.route("/status/{code}")
def status(req):
    return http.Response(int(req.path_params["code"]), {**TEXT, "x-custom": "yes"}, "status\n")


# ---------------------------------------------------------------- params, catch-all, precedence


@http.route("/echo/{a}/{b}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def echo_params(req):
    return echo(req)


@http.route("/files/{*rest}")
def files(req):
    return echo(req)


@http.route("/prec/fixed")
def prec_literal(req):
    return text("literal\n")


@http.route("/prec/{name}")
def prec_param(req):
    return text(f"param:{req.path_params['name']}\n")


@http.route("/prec/{*rest}")
def prec_catch_all(req):
    return text(f"catch-all:{req.path_params['rest']}\n")


@http.route("/bt/lit/{y}/end")
def backtrack_a(req):
    return text("A\n")


@http.route("/bt/{x}/mid/tail")
def backtrack_b(req):
    return text(f"B:{req.path_params['x']}\n")


# The literal route only takes POST; GET falls through to the param route.
@http.route("/m/special", methods=["POST"])
def method_special(req):
    return text("special\n")


@http.route("/m/{id}")
def method_param(req):
    return text(f"id:{req.path_params['id']}\n")


@http.route("/lower", methods=["post", "Put"])
def lower(req):
    return text(f"ok {req.method}\n")


# ---------------------------------------------------------------- handler results


@http.route("/async")
async def async_handler(req):
    await asyncio.sleep(0)
    return text("async\n")


@http.route("/none")
def returns_none(req):
    return None


@http.route("/wrong")
def returns_wrong_type(req):
    return "a str is not a Response"


@http.route("/raise")
def raises(req):
    raise ValueError("handler failed on purpose: secret detail")


@http.route("/async-raise")
async def async_raises(req):
    await asyncio.sleep(0)
    raise ValueError("async handler failed on purpose: secret detail")


# ---------------------------------------------------------------- bodies and limits


@http.route("/body", methods=["POST", "PUT"])
def body_echo(req):
    data = req.body()
    content_type = req.header("content-type") or "application/octet-stream"
    return http.Response(200, {"content-type": content_type, "x-body-length": str(len(data))}, data)


@http.route("/slow")
async def slow(req):
    await asyncio.sleep(int(req.query_params.get("ms", "1000")) / 1000)
    return text("slept\n")


@http.route("/slow-sync")
def slow_sync(req):
    time.sleep(int(req.query_params.get("ms", "1000")) / 1000)
    return text("slept\n")
