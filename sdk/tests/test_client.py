"""The mock http.Client: URL joining, named clients, canned answers, sent_requests."""

import asyncio

import pytest

from siphon_sdk import _state
from siphon_sdk.http import (
    ClientError,
    ClientTimeoutError,
    ConnectError,
    MockClient,
    MockResponse,
    TlsError,
    UnknownClientError,
    _join_url,
)
from siphon_sdk.http_testing import ConfigError, HttpTestHarness

CALL_APP = """\
import json
from siphon import http

@http.route("/call", methods=["POST"])
async def call(req):
    spec = json.loads(req.body())
    method = spec.get("method", "get")
    kwargs = {"headers": spec.get("headers")}
    if "body" in spec:
        kwargs["body"] = spec["body"]
    try:
        if spec.get("name"):
            client = http.Client(spec["name"])
        else:
            client = http.Client(base_url=spec.get("base_url"))
        resp = await getattr(client, method)(spec["path"], **kwargs)
    except http.ClientError as exc:
        return http.Response(502, {"x-error": type(exc).__name__}, str(exc))
    except KeyError as exc:
        return http.Response(500, {"x-error": "KeyError"}, str(exc))
    return http.Response(200, {"x-upstream-status": str(resp.status)}, resp.body)
"""


def call(h, **spec):
    import json

    return h.request("POST", "/call", body=json.dumps(spec))


@pytest.mark.parametrize(
    "base, path, url",
    [
        ("http://h/api", "/v1/x", "http://h/api/v1/x"),
        ("http://h/api/", "/v1/x", "http://h/api/v1/x"),
        ("http://h/api", "v1/x", "http://h/api/v1/x"),
        ("http://h/api//", "//v1/x", "http://h/api/v1/x"),
        ("http://h", "/x", "http://h/x"),
        ("http://h/", "x?q=1", "http://h/x?q=1"),
        ("http://h/api", "", "http://h/api"),
        ("http://h/api", "https://other/abs?x=1", "https://other/abs?x=1"),
        (None, "http://abs/only", "http://abs/only"),
    ],
)
def test_join_rule(base, path, url):
    assert _join_url(base, path) == url


def test_relative_path_without_base_url_is_a_client_error_naming_the_client():
    with pytest.raises(ClientError, match="client 'graph' has no base_url, so '/x' must be an absolute"):
        _join_url(None, "/x", "client 'graph'")
    with pytest.raises(RuntimeError):
        _join_url(None, "x")


def test_name_and_base_url_properties():
    inline = MockClient(base_url="http://h/api")
    assert inline.name is None and inline.base_url == "http://h/api"
    named = MockClient("api")
    assert named.name == "api" and named.base_url == "http://api"
    h = HttpTestHarness(clients={"api": "https://api.example/v2", "bare": None})
    token = _state.current.set(h)
    try:
        assert MockClient("api").base_url == "https://api.example/v2"
        assert MockClient("bare").base_url is None
        assert MockClient("nope").base_url is None  # not raised until the first call
    finally:
        _state.current.reset(token)
        h.close()


class TestCanning:
    def test_fifo_queue_first(self, load):
        h = load(CALL_APP)
        h.add_response(MockResponse(200, body="one"))
        h.add_response(MockResponse(201, body="two"))
        h.set_response("/p", MockResponse(202, body="by path"))
        h.set_default_response(MockResponse(203, body="default"))
        assert call(h, name="api", path="/p").body == b"one"
        assert call(h, name="api", path="/p").body == b"two"
        assert call(h, name="api", path="/p").body == b"by path"
        assert call(h, name="api", path="/p").body == b"by path"  # not consumed
        assert call(h, name="api", path="/other").body == b"default"

    def test_set_response_matches_path_without_query_and_host(self, load):
        h = load(CALL_APP)
        h.set_response("/api/v1/x", MockResponse(200, body="hit"))
        assert call(h, base_url="http://svc/api", path="/v1/x?page=2").body == b"hit"
        assert call(h, base_url="https://elsewhere:8443/api/", path="v1/x").body == b"hit"
        assert call(h, base_url="http://svc", path="/v2/y").body == b""  # nothing canned: empty 200

    def test_set_response_also_matches_the_path_as_the_script_passed_it(self, load):
        h = load(CALL_APP)
        h.set_response("/v1/x", MockResponse(200, body="as passed"))
        assert call(h, base_url="http://svc/api", path="/v1/x").body == b"as passed"
        assert h.sent_requests[0]["path"] == "/api/v1/x"

    def test_set_response_by_method(self, load):
        h = load(CALL_APP)
        h.set_response("/r", MockResponse(200, body="any"))
        h.set_response("/r", MockResponse(200, body="post"), method="post")
        assert call(h, name="a", path="/r").body == b"any"
        assert call(h, name="a", path="/r", method="post", body="x").body == b"post"

    def test_nothing_canned_is_an_empty_200_as_in_the_original_sdk(self, load):
        h = load(CALL_APP)
        resp = call(h, name="api", path="/x")
        assert (resp.status, resp.body) == (200, b"")
        assert len(h.sent_requests) == 1

    def test_nothing_canned_on_a_strict_harness_is_connect_error(self, load):
        h = load(CALL_APP, strict=True)
        resp = call(h, name="api", path="/x")
        assert resp.status == 502 and resp.headers["x-error"] == "ConnectError"
        assert b"http://api/x" in resp.body and b"strict" in resp.body
        assert len(h.sent_requests) == 1  # the attempt is recorded

    def test_canned_header_names_are_lower_cased_as_the_runtime_does_and_sent_ones_are_kept(self, load):
        h = load(
            """\
            from siphon import http

            @http.route("/")
            async def r(req):
                resp = await http.Client("api").get("/x", headers={"X-Trace-Id": "t1"})
                return http.Response(200, None, resp.headers["content-type"] + "|" + ",".join(sorted(resp.headers)))
            """
        )
        h.add_response(MockResponse(200, {"Content-Type": "application/json", "X-Rate-Limit": "5"}, "{}"))
        assert h.request("GET", "/").body == b"application/json|content-type,x-rate-limit"
        assert h.sent_requests[0]["headers"] == {"X-Trace-Id": "t1"}

    @pytest.mark.parametrize(
        "answer, error",
        [
            (ClientTimeoutError("slow"), "ClientTimeoutError"),
            (TlsError, "TlsError"),
            (ConnectError("refused"), "ConnectError"),
        ],
    )
    def test_canned_exceptions_are_raised(self, load, answer, error):
        h = load(CALL_APP)
        h.add_response(answer)
        resp = call(h, name="api", path="/x")
        assert resp.status == 502 and resp.headers["x-error"] == error

    def test_callable_answer_sees_the_request(self, load):
        h = load(CALL_APP)
        h.set_default_response(lambda sent: MockResponse(200, body=f"{sent['method']} {sent['url']}"))
        assert call(h, name="api", path="/x", method="delete").body == b"DELETE http://api/x"

    def test_status_is_passed_not_raised(self, load):
        h = load(CALL_APP)
        h.add_response(MockResponse(503, body="down"))
        resp = call(h, name="api", path="/x")
        assert resp.status == 200 and resp.headers["x-upstream-status"] == "503"

    def test_bad_canned_answer(self, load):
        h = load(CALL_APP)
        h.add_response("not a response")
        assert call(h, name="api", path="/x").status == 500  # the TypeError reaches the handler


class TestSentRequests:
    def test_record_fields(self, load):
        h = load(CALL_APP)
        h.set_default_response(MockResponse())
        call(h, name="users", path="/v1/users/a%2Fb?x=1", headers={"Accept": "application/json"})
        call(h, base_url="http://h/api", path="/items", method="post", body="payload")
        call(h, base_url="http://h/api", path="/items/1", method="put", body="p")
        call(h, base_url="http://h/api", path="/items/1", method="patch", body="p")
        call(h, base_url="http://h/api", path="/items/1", method="delete")
        first, post, put, patch, delete = h.sent_requests
        assert first == {
            "method": "GET",
            "path": "/v1/users/a%2Fb",
            "url": "http://users/v1/users/a%2Fb?x=1",
            "name": "users",
            "base_url": "http://users",
            "headers": {"Accept": "application/json"},
            "body": None,
        }
        assert post == {
            "method": "POST",
            "path": "/api/items",
            "url": "http://h/api/items",
            "name": None,
            "base_url": "http://h/api",
            "headers": {},
            "body": b"payload",
        }
        assert [r["method"] for r in (put, patch, delete)] == ["PUT", "PATCH", "DELETE"]
        assert delete["body"] is None and put["body"] == b"p"


class TestNamedClients:
    def test_unknown_name_with_configured_list(self, load):
        h = load(CALL_APP, clients=["users", "billing"])
        h.set_default_response(MockResponse())
        assert call(h, name="users", path="/x").status == 200
        resp = call(h, name="nope", path="/x")
        assert resp.headers["x-error"] == "UnknownClientError"
        assert b"unknown client 'nope'; configured clients: billing, users" in resp.body
        assert issubclass(UnknownClientError, ClientError) and issubclass(UnknownClientError, KeyError)
        assert issubclass(UnknownClientError, RuntimeError)

    def test_configured_base_urls(self, load):
        h = load(CALL_APP, clients={"users": "https://users.internal/api"})
        h.set_default_response(MockResponse())
        call(h, name="users", path="/v1/u")
        assert h.sent_requests[0]["url"] == "https://users.internal/api/v1/u"
        assert h.sent_requests[0]["path"] == "/api/v1/u"

    def test_module_level_client_is_checked_at_its_first_call(self, load):
        source = """\
            from siphon import http
            USERS = http.Client('users')

            @http.route("/")
            async def r(req):
                try:
                    await USERS.get("/u")
                except RuntimeError as e:
                    return http.Response(502, None, f"{type(e).__name__}: {e}")
                return http.Response(200)
            """
        assert load(source, clients=["users"]).request("GET", "/").status == 200
        h = load(source, clients=["other"])  # loads: the name is not checked at construction
        resp = h.request("GET", "/")
        assert resp.status == 502
        assert resp.body == b"UnknownClientError: unknown client 'users'; configured clients: other"

    def test_config_dict_names_the_clients_base_url_optional(self, load):
        h = load(CALL_APP, config={"clients": {"api": {"base_url": "http://api.internal/v1"}, "graph": {"timeout_ms": 5}}})
        assert call(h, name="api", path="/x").status == 200
        assert h.sent_requests[-1]["url"] == "http://api.internal/v1/x"
        assert call(h, name="graph", path="https://graph.example/me").status == 200
        resp = call(h, name="graph", path="/me")
        assert resp.headers["x-error"] == "ClientError" and b"client 'graph' has no base_url" in resp.body
        assert call(h, name="other", path="/x").headers["x-error"] == "UnknownClientError"

    def test_any_name_without_a_list(self, load):
        h = load("from siphon import http\nC = http.Client('whatever')\n")
        assert h.module.C.base_url == "http://whatever"

    def test_named_client_takes_no_inline_options(self):
        with pytest.raises(TypeError, match="base_url"):
            MockClient("users", base_url="http://x")
        with pytest.raises(TypeError, match="http2_prior_knowledge"):
            MockClient("users", http2_prior_knowledge=True)
        with pytest.raises(TypeError):
            MockClient(42)

    def test_inline_client_options_accepted(self):
        client = MockClient(base_url="https://e", verify="ca.crt", cert=("c", "k"), timeout_ms=2000,
                            http2_prior_knowledge=True)
        assert client._base_url == "https://e"


class TestOutsideRequests:
    def test_async_with_and_client_made_at_load_used_later(self, load):
        h = load(
            """\
            from siphon import http
            SHARED = http.Client("shared")

            @http.route("/")
            async def r(req):
                async with http.Client(base_url="http://inline") as c:
                    a = await c.get("/a")
                b = await SHARED.get("/b")
                return http.Response(200, None, a.body + b.body)
            """
        )
        h.add_response(MockResponse(body="A"))
        h.add_response(MockResponse(body="B"))
        assert h.request("GET", "/").body == b"AB"
        assert [r["url"] for r in h.sent_requests] == ["http://inline/a", "http://shared/b"]

    def test_calls_during_startup_use_the_harness(self, load):
        h = load(
            """\
            from siphon import http
            seen = []

            @http.on_startup
            async def warm():
                seen.append((await http.Client("cfg").get("/config")).body)
            """
        )
        h.set_response("/config", MockResponse(body="cfg"))
        h.run_startup()
        assert h.module.seen == [b"cfg"]

    def test_no_harness_is_connect_error(self):
        async def go():
            return await MockClient(base_url="http://x").get("/y")

        assert _state.current_harness() is None
        with pytest.raises(ConnectError, match="no HttpTestHarness"):
            asyncio.run(go())

    def test_client_captured_harness_answers_outside_requests(self):
        h = HttpTestHarness()
        h.set_default_response(MockResponse(body="captured"))
        token = _state.current.set(h)
        try:
            client = MockClient("c")
        finally:
            _state.current.reset(token)
        assert asyncio.run(client.get("/x")).body == b"captured"
        h.close()

    def test_body_and_header_checks(self, load):
        async def go(**kw):
            return await MockClient(base_url="http://x").post("/y", **kw)

        with pytest.raises(TypeError):
            asyncio.run(go(body={"no": "dicts"}))
        with pytest.raises(ValueError):
            asyncio.run(go(headers={"x": "a\nb"}))
        with pytest.raises(TypeError):
            asyncio.run(MockClient(base_url="http://x").get(b"/bytes"))


def test_client_errors_are_catchable_as_client_error():
    for cls in (ConnectError, ClientTimeoutError, TlsError):
        with pytest.raises(ClientError):
            raise cls("x")
    with pytest.raises(TimeoutError):
        raise ClientTimeoutError("x")


class TestMockModuleAndHarnessCompat:
    """The original SDK's entry points (see sdk/tests/ported for a test written in its style)."""

    def test_install_returns_the_mock_siphon_package(self):
        import sys

        from siphon_sdk import http as mock_http, log as mock_log, mock_module

        saved = {k: v for k, v in sys.modules.items() if k == "siphon" or k.startswith("siphon.")}
        try:
            sys.modules["siphon"] = type(sys)("siphon")  # some other siphon in the way
            module = mock_module.install()
            assert sys.modules["siphon"] is module
            assert module.http.Client is mock_http.Client and module.log.warn is mock_log.warn
            assert mock_module.install() is module  # idempotent
        finally:
            for k in [k for k in sys.modules if k == "siphon" or k.startswith("siphon.")]:
                del sys.modules[k]
            sys.modules.update(saved)

    def test_config_limits_and_harness_http_namespace(self, load):
        h = load(
            "from siphon import http\n@http.route('/', methods=['POST'])\ndef r(req):\n    return http.Response(200)\n",
            config={"servers": [{"listen": "127.0.0.1:0", "max_body_bytes": 4}]},
        )
        assert h.max_body_bytes == 4
        assert h.request("POST", "/", body="12345").status == 413
        assert h.http.Response is MockResponse and h.http.sent_requests is h.sent_requests

    def test_bad_config_is_the_host_s_error_naming_the_key(self):
        with pytest.raises(ConfigError, match=r"^config: clients\.api: expected a mapping of client settings"):
            HttpTestHarness(config={"clients": {"api": "http://x"}})

    def test_a_fresh_harness_runs_the_reset_hooks(self):
        calls = []

        def hook():
            calls.append(1)

        _state.on_reset(hook)
        try:
            HttpTestHarness().close()
            assert calls == [1]
        finally:
            _state._reset_hooks.remove(hook)
