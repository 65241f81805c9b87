"""The request/response helpers parity script (issue 29): req.json(), http.JSONResponse,
resp.json(), http.HTTPException / BadRequestError, cookies, repeated query keys and headers,
response cookies. One wrapper (``seen``) reports what its call_next returned.

Run by sdk/tests/test_parity.py under HttpTestHarness and, with cases_helpers.json, against the
real host over sockets (tests/Siphon.Runtime.Tests/EndToEnd/ParityTests.cs).

    curl -i http://127.0.0.1:8080/json -d '{"a": [1, 2]}'
"""

import json

from siphon import http

TEXT = {"content-type": "text/plain; charset=utf-8"}


@http.middleware
async def seen(req, call_next):
    if req.header("x-wrapper-raise") is not None:
        raise http.HTTPException(418)
    resp = await call_next(req)
    return resp.replace(headers={**resp.headers, "x-seen": str(resp.status)})


@http.middleware
def guard(req):
    if req.header("x-deny") is not None:
        raise http.HTTPException(403, "denied by the guard", {"x-denied": "1"})
    return None


@http.route("/json", methods=["POST"])
def parse_json(req):
    doc = req.json()
    return http.JSONResponse({"got": doc, "type": type(doc).__name__}, headers=[("x-kind", "echo")])


@http.route("/json-caught", methods=["POST"])
def parse_json_caught(req):
    try:
        req.json()
    except ValueError as e:  # BadRequestError is a ValueError
        return http.Response(200, TEXT, f"caught {type(e).__name__}: {isinstance(e, http.HTTPException)}\n")
    return http.Response(200, TEXT, "valid\n")


@http.route("/json-response")
def json_response(req):
    return http.JSONResponse({"caf\u00e9": [1, 2.5, None, True]}, status=201)


@http.route("/json-nan")
def json_nan(req):
    return http.JSONResponse({"x": float("nan")})  # ValueError: a 500


@http.route("/resp-json")
def resp_json(req):
    inner = http.JSONResponse({"n": 1})
    bad = http.Response(200, TEXT, "not json")
    try:
        bad.json()
    except ValueError as e:
        kind = type(e).__name__
    return http.Response(200, TEXT, f"{inner.json()['n']} {kind}\n")


@http.route("/teapot")
def teapot(req):
    raise http.HTTPException(418, headers=[("x-tea", "1"), ("x-tea", "2")])


@http.route("/gone")
async def gone(req):
    raise http.HTTPException(410, "this thing is gone")


@http.route("/repeated")
def repeated(req):
    if req.header("x-change") is not None:
        req.headers["x-multi"] = "changed"
        req.query_params["a"] = "changed"
    return http.JSONResponse({
        "query_params": req.query_params,
        "a": req.query_list("a"),
        "missing": req.query_list("nope"),
        "header": req.header("x-multi"),
        "header_list": req.header_list("X-Multi"),
        "cookies": req.cookies,
    })


@http.route("/cookies")
def cookies(req):
    resp = (http.Response(200, TEXT, "cookies\n")
            .with_cookie("sid", "abc123", max_age=3600, secure=True)
            .with_cookie("theme", "dark", path="/app", domain="example.com", httponly=False, samesite="strict")
            .with_cookie("old", "x", expires="Wed, 21 Oct 2015 07:28:00 GMT", samesite=None)
            .without_cookie("gone"))
    # A wrapper's replace({**resp.headers, ...}) keeps the four lines (tests/parity: x-seen).
    return resp


@http.route("/cookie-errors")
def cookie_errors(req):
    out = []
    for kwargs in ({"name": "a b", "value": "1"}, {"name": "a", "value": "x;y"}, {"name": "a", "value": "1", "samesite": "none"},
                   {"name": "a", "value": "1", "samesite": "sometimes"}, {"name": "a", "value": "1", "expires": "tomorrow"},
                   {"name": "a", "value": "1", "path": "/x;y"}):
        try:
            http.Response().with_cookie(**kwargs)
            out.append("accepted")
        except ValueError as e:
            out.append(str(e))
    return http.JSONResponse(out)


@http.route("/form", methods=["POST"])
def form(req):
    f = req.form()
    out = {"names": list(f), "len": len(f), "fields": []}
    for name, value in f.multi_items():
        if isinstance(value, http.UploadFile):
            out["fields"].append([name, {"filename": value.filename, "content_type": value.content_type,
                                         "size": value.size, "data": value.read().decode("utf-8", "replace")}])
        else:
            out["fields"].append([name, value])
    out["last_a"] = f.get("a")
    out["all_a"] = f.getlist("a")
    out["missing"] = f.get("nope", "default")
    return http.JSONResponse(out)


@http.route("/multipart", methods=["POST"], stream=True)
async def multipart(req):
    import hashlib

    out = []
    try:
        async for part in http.read_multipart(req):
            if part.name == "skip":
                continue  # not read: skipped
            digest, size = hashlib.sha256(), 0
            async for chunk in part:
                digest.update(chunk)
                size += len(chunk)
            out.append([part.name, part.filename, part.content_type, size, digest.hexdigest()[:12]])
    except http.BadRequestError as e:
        return http.Response(400, TEXT, f"{e}\n")
    return http.JSONResponse(out)
