"""MockRequest, MockResponse and HttpStatusError behave as the contract says."""

import pytest

from siphon_sdk.http import HttpStatusError, MockRequest, MockResponse


class TestRequest:
    def test_defaults(self):
        req = MockRequest()
        assert req.method == "GET"
        assert req.path == "/"
        assert req.path_params == {} and req.query_params == {} and req.headers == {}
        assert req.body() == b""
        assert req.client == "127.0.0.1:0"
        assert req.client_cert is None

    def test_fields(self):
        req = MockRequest(
            "post",
            "/a/b",
            path_params={"x": "1"},
            query_params={"q": "v"},
            headers={"X-Thing": "1"},
            body=b"data",
            client="10.0.0.1:5555",
            client_cert="CN=alice",
        )
        assert req.method == "POST"
        assert req.path == "/a/b"
        assert req.path_params == {"x": "1"}
        assert req.query_params == {"q": "v"}
        assert req.headers == {"x-thing": "1"}
        assert req.body() == b"data"
        assert req.client == "10.0.0.1:5555"
        assert req.client_cert == "CN=alice"

    def test_str_body_is_utf8(self):
        assert MockRequest(body="é").body() == b"\xc3\xa9"

    def test_header_names_lower_cased_and_repeats_joined(self):
        req = MockRequest(headers=[("Accept", "a"), ("ACCEPT", "b"), ("X-One", "1")])
        assert req.headers == {"accept": "a, b", "x-one": "1"}
        req = MockRequest(headers={"X-List": ["1", "2", "3"]})
        assert req.headers == {"x-list": "1, 2, 3"}

    def test_header_lookup_is_case_insensitive(self):
        req = MockRequest(headers={"Content-Type": "text/plain"})
        assert req.header("content-type") == "text/plain"
        assert req.header("CONTENT-TYPE") == "text/plain"
        assert req.header("missing") is None

    def test_dicts_are_made_once_per_request_as_on_the_host(self):
        req = MockRequest("GET", "/u/1", path_params={"id": "1"}, query_params={"q": "x"}, headers={"X-A": "a"})
        for name in ("path_params", "query_params", "headers"):
            assert getattr(req, name) is getattr(req, name), name
        req.headers["x-added"] = "by middleware"
        req.path_params["id"] = "2"
        assert req.headers["x-added"] == "by middleware"
        assert req.path_params == {"id": "2"}
        assert req.header("X-Added") == "by middleware"  # header() reads req.headers: one source of truth
        assert MockRequest("GET", "/u/1", path_params={"id": "1"}).path_params == {"id": "1"}

    def test_bad_values(self):
        with pytest.raises(TypeError):
            MockRequest(path_params={"a": 1})
        with pytest.raises(ValueError):
            MockRequest(headers={"x": "a\r\nb"})
        with pytest.raises(TypeError):
            MockRequest(body=123)


class TestResponse:
    def test_defaults(self):
        resp = MockResponse()
        assert resp.status == 200 and resp.headers == {} and resp.body == b""

    def test_body_types(self):
        assert MockResponse(body="héllo").body == "héllo".encode()
        assert MockResponse(body=b"raw").body == b"raw"
        assert MockResponse(body=bytearray(b"ba")).body == b"ba"
        assert isinstance(MockResponse(body=bytearray(b"ba")).body, bytes)
        with pytest.raises(TypeError):
            MockResponse(body={"json": "no"})

    @pytest.mark.parametrize("status", [100, 200, 404, 599])
    def test_status_range_ok(self, status):
        assert MockResponse(status).status == status

    @pytest.mark.parametrize("status", [0, 99, 600, -1, 1000])
    def test_status_out_of_range(self, status):
        with pytest.raises(ValueError, match="100-599"):
            MockResponse(status)

    @pytest.mark.parametrize("status", ["200", 200.0, True, None])
    def test_status_must_be_int(self, status):
        with pytest.raises(TypeError):
            MockResponse(status)

    @pytest.mark.parametrize(
        "headers",
        [{"x-a": "1\r\nx-b: 2"}, {"x-a": "1\n"}, {"x-a": "\r"}, {"x\r\nb": "1"}, {"x\nb": "1"}],
    )
    def test_crlf_in_headers_rejected(self, headers):
        with pytest.raises(ValueError, match="CR or LF"):
            MockResponse(200, headers)

    def test_header_types(self):
        with pytest.raises(TypeError):
            MockResponse(200, {"content-length": 5})
        with pytest.raises(ValueError):
            MockResponse(200, {"": "x"})

    def test_header_names_kept_as_written(self):
        resp = MockResponse(200, {"Content-Type": "text/plain"})
        assert resp.headers == {"Content-Type": "text/plain"}
        with pytest.raises(TypeError, match=r"resp\.replace\(headers="):
            resp.headers["x"] = "y"
        assert "x" not in resp.headers
        assert type({**resp.headers}) is dict and isinstance(resp.headers, dict)

    @pytest.mark.parametrize("status", [200, 201, 204, 301, 399])
    def test_raise_for_status_returns_self(self, status):
        resp = MockResponse(status)
        assert resp.raise_for_status() is resp

    @pytest.mark.parametrize("status", [400, 404, 500, 503])
    def test_raise_for_status_raises(self, status):
        resp = MockResponse(status, body="nope")
        with pytest.raises(HttpStatusError) as info:
            resp.raise_for_status()
        assert info.value.response is resp
        assert info.value.status == status
        assert str(status) in str(info.value)



class TestResponseReplace:
    """Issue 29: replace() keeps what it is not given; .body of a streamed response raises."""

    def test_replace_keeps_status_headers_and_body(self):
        resp = MockResponse(201, {"a": "1"}, b"x")
        out = resp.replace(headers={**resp.headers, "b": "2"})
        assert (out.status, dict(out.headers), out.body) == (201, {"a": "1", "b": "2"}, b"x")
        assert resp.replace(status=404).body == b"x" and resp.replace(body=b"").body == b""
        with pytest.raises(ValueError):
            resp.replace(status=99)

    def test_repeated_lines_survive_a_dict_built_from_headers(self):
        resp = MockResponse(200, [("Set-Cookie", "a=1"), ("x", "1"), ("set-cookie", "b=2")])
        assert resp.headers == {"Set-Cookie": "a=1, b=2", "x": "1"}
        out = resp.replace(headers={**resp.headers, "y": "2"})
        assert out._lines == [("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("x", "1"), ("y", "2")]
        # a changed value is taken as given (one line)
        assert resp.replace(headers={"Set-Cookie": "c=3"})._lines == [("Set-Cookie", "c=3")]

    def test_streamed_body_raises_and_moves_with_replace(self):
        async def gen():
            yield "a"
            yield b"b"

        resp = MockResponse(200, {}, gen())
        assert resp.is_streamed
        with pytest.raises(RuntimeError, match=r"resp\.replace\("):
            resp.body
        out = resp.replace(status=202)
        assert out.is_streamed and out.status == 202
        with pytest.raises(RuntimeError, match="already taken"):
            resp.stream()

        async def read():
            return [c async for c in out.stream()]

        import asyncio
        assert asyncio.run(read()) == [b"a", b"b"]
