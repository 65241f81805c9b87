"""Wrap-around middleware, ``(req, call_next)``, under HttpTestHarness. The dispatch rows shared
with the runtime are in tests/parity/cases_wrap.json (test_parity.py); these cover the rest."""

import asyncio
import threading

import pytest


@pytest.mark.parametrize("signature", ["(req, call_next, extra)", "()", "(*args)", "(req, *, call_next)"])
def test_any_other_arity_fails_the_load_naming_the_line(load, signature):
    with pytest.raises(TypeError) as e:
        load(f"from siphon import http\n\n@http.middleware\ndef mw{signature}:\n    return None\n", filename="app.py")
    assert "app.py:3" in str(e.value)
    assert "must take (req) to guard or (req, call_next) to wrap" in str(e.value)


def test_parameters_with_defaults_do_not_count(load):
    h = load(
        """\
        from siphon import http

        @http.middleware
        def guard(req, label="guard"):
            return http.Response(403, None, label) if req.header("x-deny") else None

        @http.middleware
        async def wrapper(req, call_next, label="wrapped"):
            resp = await call_next(req)
            return http.Response(resp.status, {"x-label": label}, resp.body)

        @http.route("/")
        def root(req):
            return http.Response(200, None, "root")
        """
    )
    assert h.request("GET", "/").headers == {"x-label": "wrapped"}
    denied = h.request("GET", "/", headers={"x-deny": "1"})
    # The guard comes first in registration order: it answers alone, the wrapper never runs.
    assert (denied.status, denied.body, denied.headers) == (403, b"guard", {})


def test_a_plain_wrapper_runs_off_the_loop_and_call_next_returns_the_response(load):
    h = load(
        """\
        import asyncio, threading
        from siphon import http

        seen = {}

        @http.middleware
        def plain(req, call_next):
            seen["wrapper_thread"] = threading.current_thread().name
            resp = call_next(req)
            return http.Response(resp.status, {**resp.headers, "x-plain": "1"}, resp.body)

        @http.route("/async")
        async def handler(req):
            await asyncio.sleep(0)
            seen["handler_thread"] = threading.current_thread().name
            return http.Response(200, None, "async")
        """
    )
    r = h.request("GET", "/async")
    assert (r.status, r.body, r.headers["x-plain"]) == (200, b"async", "1")
    assert h.module.seen["wrapper_thread"] != threading.current_thread().name
    assert h.module.seen["handler_thread"] == threading.current_thread().name  # the harness's loop
    assert h.request("GET", "/missing").headers["x-plain"] == "1"


def test_call_next_twice_is_a_logged_500(load):
    h = load(
        """\
        from siphon import http

        @http.middleware
        async def twice(req, call_next):
            await call_next(req)
            return await call_next(req)

        @http.route("/")
        def root(req):
            return http.Response(200)
        """
    )
    assert h.request("GET", "/").status == 500
    assert any(level == "error" and "called call_next twice" in text for level, text in h.log)


def test_a_handler_error_inside_call_next_is_recorded_and_seen_as_a_500(load):
    h = load(
        """\
        from siphon import http

        @http.middleware
        async def observe(req, call_next):
            resp = await call_next(req)
            return http.Response(200, None, f"inner answered {resp.status}")

        @http.route("/")
        def root(req):
            raise KeyError("boom")
        """
    )
    r = h.request("GET", "/")
    assert (r.status, r.body) == (200, b"inner answered 500")
    assert [type(e) for e in h.errors] == [KeyError]


def test_a_timeout_cancels_the_chain_and_releases_a_plain_wrapper(load):
    h = load(
        """\
        import asyncio
        from siphon import http

        outcome = []

        @http.middleware
        def plain(req, call_next):
            try:
                return call_next(req)
            except BaseException as e:
                outcome.append(type(e).__name__)
                raise

        @http.route("/slow")
        async def slow(req):
            await asyncio.sleep(30)
            return http.Response(200)
        """,
        request_timeout_ms=200,
    )
    assert h.request("GET", "/slow").status == 504
    for _ in range(100):
        if h.module.outcome:
            break
        threading.Event().wait(0.05)
    assert h.module.outcome == ["CancelledError"]
