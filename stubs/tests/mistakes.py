"""Mistakes a script author makes, each marked with a trailing "expect" comment naming the pyright
rules that must report it on that line (comma-separated: a failed match of an overloaded decorator
gets two). Type-checked in basic mode against the installed siphon-stubs package only
(test_type_checking.py); a line with no marker must stay clean. Never run."""
import json

from siphon import http, log


# An attribute the type does not have (a typo, or an API from another framework).
@http.route("/typo")
async def typo(req: http.Request) -> http.Response:
    log.info(req.methd)  # expect: reportAttributeAccessIssue
    resp = http.Response(status=200)
    return resp.stauts  # expect: reportAttributeAccessIssue


@http.route("/client-typo")
async def client_typo(req: http.Request) -> http.Response:
    return await http.Client("api").fetch("/x")  # expect: reportAttributeAccessIssue


# Wrong argument types to http.Response(...).
@http.route("/status-as-text")
async def status_as_text(req: http.Request) -> http.Response:
    return http.Response(status="200")  # expect: reportArgumentType


@http.route("/headers-as-list")
async def headers_as_list(req: http.Request) -> http.Response:
    return http.Response(200, headers=["content-type: text/plain"])  # expect: reportArgumentType


# req.body is a method: reading it as a property hands a bound method on.
@http.route("/body-as-property", methods=["POST"])
async def body_as_property(req: http.Request) -> http.Response:
    data = json.loads(req.body)  # expect: reportArgumentType
    return http.Response(200, body=str(data))


@http.route("/body-into-bytes", methods=["POST"])
def body_into_bytes(req: http.Request) -> http.Response:
    raw: bytes = req.body  # expect: reportAssignmentType
    return http.Response(200, body=raw)


# A Client call without await is a coroutine, not a Response.
@http.route("/no-await-attribute")
async def no_await_attribute(req: http.Request) -> http.Response:
    resp = http.Client("api").get("/x")
    return http.Response(status=resp.status)  # expect: reportAttributeAccessIssue


@http.route("/no-await-returned")
async def no_await_returned(req: http.Request) -> http.Response:
    return http.Client("api").get("/x")  # expect: reportReturnType


# A handler whose result is not a Response: flagged at the decorator, annotated or not.
@http.route("/returns-dict")  # expect: reportArgumentType
async def returns_dict(req):
    return {"ok": True}


@http.route("/returns-coroutine")  # expect: reportArgumentType
async def returns_coroutine(req):
    return http.Client("api").get("/x")


@http.route("/sync-returns-text")  # expect: reportArgumentType
def sync_returns_text(req: http.Request) -> str:
    return "hello"


# methods= takes a sequence of method names.
@http.route("/methods-as-numbers", methods=[1, 2])  # expect: reportArgumentType
async def methods_as_numbers(req: http.Request) -> http.Response:
    return http.Response(204)


@http.route("/methods-as-set", methods={"GET": True})  # expect: reportArgumentType
async def methods_as_set(req: http.Request) -> http.Response:
    return http.Response(204)


# A guard answers with a Response or None.
@http.middleware  # expect: reportCallIssue, reportArgumentType
async def guard_returns_bool(req: http.Request) -> bool:
    return True


# A middleware takes (req) to guard or (req, call_next) to wrap: any other arity is refused.
@http.middleware  # expect: reportCallIssue, reportArgumentType
def three_parameters(req, call_next, extra):
    return None


@http.middleware  # expect: reportCallIssue, reportArgumentType
async def no_parameters():
    return None


# A wrapper answers with a Response: passing on None (as a guard would) is a mistake.
@http.middleware  # expect: reportCallIssue, reportArgumentType
async def wrapper_returns_none(req: http.Request, call_next) -> None:
    await call_next(req)


# Correct code next to the mistakes stays clean.
@http.route("/fine", methods=["GET", "POST"])
async def fine(req: http.Request) -> http.Response:
    async with http.Client("api") as api:
        try:
            upstream = (await api.get("/x")).raise_for_status()
        except http.ClientError:
            return http.Response(502)
    return http.Response(200, {"content-type": upstream.headers.get("content-type", "text/plain")}, upstream.body)


@http.middleware
def guard(req: http.Request) -> http.Response | None:
    return None if req.header("authorization") else http.Response(401)


@http.middleware
async def timing(req, call_next):
    resp = await call_next(req)
    return http.Response(resp.status, {**resp.headers, "x-elapsed-ms": "1.0"}, resp.body)


@http.middleware
def plain_wrapper(req: http.Request, call_next) -> http.Response:
    resp = call_next(req)
    return http.Response(resp.status, {**resp.headers, "x-plain": "1"}, resp.body)
