"""HttpTestHarness.request follows the runtime's dispatch table."""

import asyncio

import pytest

from siphon_sdk.http import MockResponse

TEXT = "text/plain; charset=utf-8"


def test_404(load):
    h = load("from siphon import http\n")
    resp = h.request("GET", "/anything")
    assert (resp.status, resp.body, resp.headers) == (404, b"not found\n", {"content-type": TEXT})


def test_405_with_allow(load):
    h = load(
        """\
        from siphon import http

        @http.route("/r", methods=["POST", "DELETE"])
        def r(req):
            return http.Response()
        """
    )
    resp = h.request("GET", "/r")
    assert resp.status == 405
    assert resp.body == b"method not allowed\n"
    assert resp.headers == {"content-type": TEXT, "allow": "DELETE, POST"}


def test_allow_includes_head_with_get(load):
    h = load(
        """\
        from siphon import http

        @http.route("/r", methods=["GET", "PUT"])
        def r(req):
            return http.Response()
        """
    )
    assert h.request("PATCH", "/r").headers["allow"] == "GET, HEAD, PUT"


MIDDLEWARE_APP = """\
from siphon import http, log

calls = []

@http.middleware
def first(req):
    calls.append("first")
    mode = req.header("x-first")
    if mode == "stop":
        return http.Response(401, None, "first stopped")
    if mode == "wrong":
        return "nope"
    if mode == "raise":
        raise RuntimeError("first blew up")
    return None

@http.middleware
async def second(req):
    await asyncio.sleep(0)
    calls.append("second")
    if req.header("x-second") == "stop":
        return http.Response(402, None, "second stopped")
    return None

@http.route("/r")
def r(req):
    calls.append("route")
    return http.Response(200, None, "route")

import asyncio
"""


class TestMiddleware:
    def test_run_in_registration_order_then_route(self, load):
        h = load(MIDDLEWARE_APP)
        assert h.request("GET", "/r").body == b"route"
        assert h.module.calls == ["first", "second", "route"]

    def test_response_short_circuits(self, load):
        h = load(MIDDLEWARE_APP)
        resp = h.request("GET", "/r", headers={"x-first": "stop"})
        assert (resp.status, resp.body) == (401, b"first stopped")
        assert h.module.calls == ["first"]

    def test_none_goes_on(self, load):
        h = load(MIDDLEWARE_APP)
        resp = h.request("GET", "/r", headers={"x-second": "stop"})
        assert (resp.status, resp.body) == (402, b"second stopped")
        assert h.module.calls == ["first", "second"]

    def test_wrong_type_is_500(self, load):
        h = load(MIDDLEWARE_APP)
        resp = h.request("GET", "/r", headers={"x-first": "wrong"})
        assert (resp.status, resp.body) == (500, b"internal server error\n")
        assert h.module.calls == ["first"]
        level, message = h.log[-1]
        assert level == "error" and "first" in message and "str" in message

    def test_raise_is_500_with_traceback_logged(self, load):
        h = load(MIDDLEWARE_APP)
        resp = h.request("GET", "/r", headers={"x-first": "raise"})
        assert (resp.status, resp.body) == (500, b"internal server error\n")
        assert "Traceback" in h.log[-1][1] and "first blew up" in h.log[-1][1]
        assert isinstance(h.errors[-1], RuntimeError)

    def test_not_run_for_404_or_405(self, load):
        h = load(MIDDLEWARE_APP)
        assert h.request("GET", "/nope", headers={"x-first": "stop"}).status == 404
        assert h.request("POST", "/r", headers={"x-first": "stop"}).status == 405
        assert h.module.calls == []


HANDLERS_APP = """\
import asyncio
from siphon import http

@http.route("/sync")
def sync(req):
    return http.Response(200, None, "sync")

@http.route("/async")
async def async_(req):
    await asyncio.sleep(0)
    return http.Response(200, None, "async")

@http.route("/none")
def none(req):
    return None

@http.route("/async-none")
async def async_none(req):
    pass

@http.route("/dict")
def wrong(req):
    return {"status": 200}

@http.route("/raise")
def boom(req):
    raise KeyError("secret-detail")

@http.route("/async-raise")
async def async_boom(req):
    await asyncio.sleep(0)
    raise ValueError("async-secret")

@http.route("/exit")
def exits(req):
    raise SystemExit(3)

def _make():
    async def inner(req):
        return http.Response(200, None, "awaited")
    return inner

_inner = _make()

@http.route("/returns-awaitable")
def returns_awaitable(req):
    return _inner(req)
"""


class TestHandlers:
    @pytest.mark.parametrize("path, body", [("/sync", b"sync"), ("/async", b"async"), ("/returns-awaitable", b"awaited")])
    def test_sync_async_and_awaitable(self, load, path, body):
        h = load(HANDLERS_APP)
        resp = h.request("GET", path)
        assert (resp.status, resp.body) == (200, body)

    @pytest.mark.parametrize("path, type_name", [("/none", "NoneType"), ("/async-none", "NoneType"), ("/dict", "dict")])
    def test_non_response_is_500(self, load, path, type_name):
        h = load(HANDLERS_APP)
        resp = h.request("GET", path)
        assert (resp.status, resp.body, resp.headers) == (500, b"internal server error\n", {"content-type": TEXT})
        assert h.log[-1][0] == "error" and type_name in h.log[-1][1]

    @pytest.mark.parametrize("path, detail", [("/raise", "secret-detail"), ("/async-raise", "async-secret"), ("/exit", "SystemExit")])
    def test_raise_is_500_and_traceback_only_in_log(self, load, path, detail):
        h = load(HANDLERS_APP, filename="handlers.py")
        resp = h.request("GET", path)
        assert resp.status == 500
        assert resp.body == b"internal server error\n"
        level, message = h.log[-1]
        assert level == "error"
        assert "Traceback" in message and detail in message and "handlers.py" in message
        assert h.errors and detail in repr(h.errors[-1]) or detail == "SystemExit"

    def test_harness_keeps_working_after_errors(self, load):
        h = load(HANDLERS_APP)
        h.request("GET", "/raise")
        assert h.request("GET", "/sync").status == 200


ECHO_APP = """\
import json
from siphon import http

@http.route("/echo/{name}", methods=["GET", "POST", "HEAD"])
def echo(req):
    return http.Response(200, {"x-method": req.method}, json.dumps({
        "method": req.method, "path": req.path, "params": req.path_params,
        "query": req.query_params, "headers": req.headers, "body": req.body().decode(),
        "client": req.client, "cert": req.client_cert,
    }))

@http.route("/get-only")
def get_only(req):
    return http.Response(200, {"x-method": req.method, "content-type": "text/plain"}, "body")
"""


class TestRequestData:
    def test_request_fields(self, load):
        import json

        h = load(ECHO_APP)
        resp = h.request(
            "post",
            "/echo/a%20b?x=1&x=2&y=a+b",
            headers=[("X-A", "1"), ("x-a", "2"), ("Content-Type", "text/plain")],
            query_params={"y": "explicit", "z": "3"},
            body="héllo",
            client="192.0.2.1:4000",
            client_cert="CN=me",
        )
        data = json.loads(resp.body)
        assert data == {
            "method": "POST",
            "path": "/echo/a b",
            "params": {"name": "a b"},
            "query": {"x": "2", "y": "explicit", "z": "3"},
            "headers": {"x-a": "1, 2", "content-type": "text/plain"},
            "body": "héllo",
            "client": "192.0.2.1:4000",
            "cert": "CN=me",
        }

    def test_defaults(self, load):
        import json

        h = load(ECHO_APP)
        data = json.loads(h.request("GET", "/echo/x").body)
        assert data["client"] == "127.0.0.1:0" and data["cert"] is None
        assert data["headers"] == {} and data["query"] == {} and data["body"] == ""

    def test_fragment_is_ignored_and_path_must_be_absolute(self, load):
        h = load(ECHO_APP)
        assert h.request("GET", "/echo/x#frag").status == 200
        with pytest.raises(ValueError):
            h.request("GET", "echo/x")


class TestHead:
    def test_head_on_get_route(self, load):
        h = load(ECHO_APP)
        resp = h.request("HEAD", "/get-only")
        assert resp.status == 200
        assert resp.body == b""
        assert resp.headers == {"x-method": "HEAD", "content-type": "text/plain"}

    def test_explicit_head_route(self, load):
        h = load(ECHO_APP)
        resp = h.request("HEAD", "/echo/x")
        assert resp.status == 200 and resp.body == b"" and resp.headers["x-method"] == "HEAD"

    def test_head_error_answers_have_no_body(self, load):
        h = load(ECHO_APP)
        assert h.request("HEAD", "/nope").body == b""
        assert h.request("HEAD", "/nope").status == 404

    def test_explicit_head_route_beats_get_of_same_shape(self, load):
        h = load(
            """\
            from siphon import http

            @http.route("/x")
            def get(req):
                return http.Response(200, {"x-by": "get"})

            @http.route("/x", methods=["HEAD"])
            def head(req):
                return http.Response(200, {"x-by": "head"})
            """
        )
        assert h.request("HEAD", "/x").headers == {"x-by": "head"}
        assert h.request("GET", "/x").headers == {"x-by": "get"}


LIMITS_APP = """\
import asyncio, time
from siphon import http

state = {"called": 0, "cancelled": 0, "finished": 0}

@http.middleware
def count(req):
    state["called"] += 1

@http.route("/upload", methods=["POST"])
def upload(req):
    return http.Response(200, None, str(len(req.body())))

@http.route("/slow")
async def slow(req):
    try:
        await asyncio.sleep(float(req.query_params["s"]))
    except asyncio.CancelledError:
        state["cancelled"] += 1
        raise
    state["finished"] += 1
    return http.Response(200, None, "done")

@http.route("/stubborn")
async def stubborn(req):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        return http.Response(200, None, "swallowed the cancel")

@http.route("/sync-slow")
def sync_slow(req):
    time.sleep(float(req.query_params["s"]))
    return http.Response(200, None, "done")
"""


class TestLimits:
    def test_body_cap(self, load):
        h = load(LIMITS_APP, max_body_bytes=4)
        assert h.request("POST", "/upload", body=b"1234").body == b"4"
        resp = h.request("POST", "/upload", body=b"12345")
        assert (resp.status, resp.body, resp.headers) == (413, b"payload too large\n", {"content-type": TEXT})
        assert h.module.state["called"] == 1  # middleware and handler not called for the 413

    def test_body_cap_after_routing(self, load):
        h = load(LIMITS_APP, max_body_bytes=1)
        assert h.request("POST", "/nope", body=b"12345").status == 404

    def test_no_cap_by_default(self, load):
        h = load(LIMITS_APP)
        assert h.request("POST", "/upload", body=b"x" * 100_000).body == b"100000"

    def test_timeout_cancels_async_handler(self, load):
        h = load(LIMITS_APP, request_timeout_ms=50)
        resp = h.request("GET", "/slow?s=2")
        assert (resp.status, resp.body, resp.headers) == (504, b"gateway timeout\n", {"content-type": TEXT})
        assert h.module.state == {"called": 1, "cancelled": 1, "finished": 0}
        assert h.request("GET", "/slow?s=0").status == 200
        assert h.module.state["finished"] == 1

    def test_timeout_even_when_the_handler_swallows_cancel(self, load):
        h = load(LIMITS_APP, request_timeout_ms=50)
        assert h.request("GET", "/stubborn").status == 504

    def test_sync_handler_past_the_deadline(self, load):
        h = load(LIMITS_APP, request_timeout_ms=50)
        assert h.request("GET", "/sync-slow?s=0.15").status == 504
        assert h.request("GET", "/sync-slow?s=0").status == 200

    def test_no_timeout_by_default(self, load):
        h = load(LIMITS_APP)
        assert h.request("GET", "/slow?s=0.1").status == 200


LIFECYCLE_APP = """\
import asyncio
from siphon import http, log

events = []

@http.on_startup
def s1():
    events.append("startup1")

@http.on_startup
async def s2():
    await asyncio.sleep(0)
    events.append("startup2")
    log.info("started")

@http.on_shutdown
async def d1():
    events.append("shutdown1")

@http.on_shutdown
def d2():
    events.append("shutdown2")

@http.route("/events")
def ev(req):
    return http.Response(200, None, ",".join(events))
"""


class TestLifecycle:
    def test_hooks_run_in_order(self, load):
        h = load(LIFECYCLE_APP)
        assert h.module.events == []  # nothing runs on load
        h.run_startup()
        assert h.module.events == ["startup1", "startup2"]
        assert h.request("GET", "/events").body == b"startup1,startup2"
        h.run_shutdown()
        assert h.module.events[-2:] == ["shutdown1", "shutdown2"]
        assert ("info", "started") in h.log

    def test_hooks_run_once(self, load):
        h = load(LIFECYCLE_APP)
        h.run_startup()
        with pytest.raises(RuntimeError):
            h.run_startup()
        h.run_shutdown()
        with pytest.raises(RuntimeError):
            h.run_shutdown()

    def test_startup_error_propagates(self, load):
        h = load("from siphon import http\n@http.on_startup\ndef s():\n    raise OSError('db down')\n")
        with pytest.raises(OSError, match="db down"):
            h.run_startup()

    def test_shutdown_runs_all_then_raises_first(self, load):
        h = load(
            """\
            from siphon import http
            ran = []

            @http.on_shutdown
            def a():
                ran.append("a")
                raise ValueError("a failed")

            @http.on_shutdown
            def b():
                ran.append("b")
            """
        )
        with pytest.raises(ValueError, match="a failed"):
            h.run_shutdown()
        assert h.module.ran == ["a", "b"]
        assert h.log[-1][0] == "error"

    def test_loop_state_survives_between_calls(self, load):
        h = load(
            """\
            import asyncio
            from siphon import http
            box = {}

            @http.on_startup
            async def make():
                box["loop"] = asyncio.get_running_loop()

            @http.route("/same")
            async def same(req):
                return http.Response(200, None, str(asyncio.get_running_loop() is box["loop"]))
            """
        )
        h.run_startup()
        assert h.request("GET", "/same").body == b"True"


def test_script_errors_propagate_from_load(load):
    with pytest.raises(SyntaxError):
        load("def (:\n")
    with pytest.raises(ZeroDivisionError):
        load("1/0\n")


def test_load_script_from_file(tmp_path, harness):
    helper = tmp_path / "helper_mod_for_siphon_test.py"
    helper.write_text("GREETING = 'from a sibling module'\n")
    script = tmp_path / "my_app.py"
    script.write_text(
        "from siphon import http\nimport helper_mod_for_siphon_test as helper\n"
        "@http.route('/')\ndef r(req):\n    return http.Response(200, None, helper.GREETING + ' ' + __name__)\n"
    )
    module = harness.load_script(script)
    assert module.__file__ == str(script)
    assert harness.script_name == "my_app"
    assert harness.request("GET", "/").body == b"from a sibling module my_app"


def test_request_response_is_a_mock_response(load):
    h = load("from siphon import http\n@http.route('/')\ndef r(req):\n    return http.Response(201)\n")
    resp = h.request("GET", "/")
    assert isinstance(resp, MockResponse) and resp.status == 201


def test_harness_refuses_to_run_inside_a_running_loop(load):
    h = load("from siphon import http\n")

    async def inside():
        h.request("GET", "/")

    with pytest.raises(RuntimeError, match="synchronous"):
        asyncio.run(inside())


def test_traceback_shows_source_lines_of_load_source(load):
    h = load("from siphon import http\n@http.route('/')\ndef r(req):\n    raise ValueError('boom')  # marker\n", filename="<inline>")
    h.request("GET", "/")
    assert "# marker" in h.log[-1][1]
