"""Route registration: patterns, methods, load errors naming the script line, matching."""

import pytest

from siphon_sdk import http
from siphon_sdk._routing import RouteError, decoded_path, parse_pattern
from siphon_sdk.http_testing import HttpTestHarness

ROUTES = """\
from siphon import http

def ok(req):
    return http.Response(200, None, req.method + " " + repr(sorted(req.path_params.items())))

{routes}
"""


def app(load, *routes):
    lines = "\n".join(f"http.route({pattern!r}, {methods!r})(ok)" for pattern, methods in routes)
    return load(ROUTES.format(routes=lines))


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("no-slash", "must start with '/'"),
        ("/a/{x", "mixes text and braces"),
        ("/a/x}", "mixes text and braces"),
        ("/a/file.{ext}", "mixes text and braces"),
        ("/a/{}", "bad parameter name"),
        ("/a/{1x}", "bad parameter name"),
        ("/a/{x-y}", "bad parameter name"),
        ("/a/{*}", "bad parameter name"),
        ("/a/{*rest}/b", "must be the last segment"),
        ("/a/{x}/{x}", "appears twice"),
        ("/a//b", "empty segment"),
        ("/a?b=1", "must not contain"),
    ],
)
def test_bad_pattern_fails_the_load_naming_the_line(load, pattern, message):
    source = f"from siphon import http\n\n\n@http.route({pattern!r})\ndef h(req):\n    pass\n"
    with pytest.raises(RouteError, match=message) as info:
        load(source, filename="bad_app.py")
    assert str(info.value).startswith("bad_app.py:4: ")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("methods", ["GET", [], [""], [1]])
def test_bad_methods_fail_the_load(load, methods):
    source = f"from siphon import http\n@http.route('/x', methods={methods!r})\ndef h(req):\n    pass\n"
    with pytest.raises(RouteError) as info:
        load(source, filename="m.py")
    assert str(info.value).startswith("m.py:2: ")


def test_duplicate_route_names_both_lines(load):
    source = """\
    from siphon import http

    @http.route("/users/{id}")
    def a(req):
        pass

    @http.route("/users/{user_id}", methods=["get", "post"])
    def b(req):
        pass
    """
    with pytest.raises(RouteError) as info:
        load(source, filename="dup.py")
    message = str(info.value)
    assert message.startswith("dup.py:7: ")
    assert "dup.py:3" in message and "GET" in message


def test_same_shape_different_methods_is_fine(load):
    h = app(load, ("/x/{a}", ["GET"]), ("/x/{b}", ["POST"]))
    assert h.request("GET", "/x/1").body == b"GET [('a', '1')]"
    assert h.request("POST", "/x/1").body == b"POST [('b', '1')]"


def test_catch_all_names_do_not_make_shapes_differ(load):
    with pytest.raises(RouteError):
        app(load, ("/f/{*a}", None), ("/f/{*b}", None))


def test_methods_default_and_upper_cased(load):
    h = app(load, ("/d", None), ("/m", ["post", "Delete", "POST"]))
    assert h.routes == [("/d", ("GET",)), ("/m", ("POST", "DELETE"))]


def test_decorators_return_the_function_unchanged(harness):
    def fn(req):
        return None

    harness._loading = True  # as during a load
    from siphon_sdk import _state

    token = _state.current.set(harness)
    try:
        assert http.route("/x")(fn) is fn
        assert http.middleware(fn) is fn
        assert http.on_startup(fn) is fn
        assert http.on_shutdown(fn) is fn
    finally:
        _state.current.reset(token)
    assert harness.routes == [("/x", ("GET",))]


def test_decorators_outside_a_harness_only_check():
    def fn(req):
        return None

    assert http.route("/free")(fn) is fn
    assert http.middleware(fn) is fn
    with pytest.raises(RouteError):
        http.route("bad")
    with pytest.raises(TypeError):
        http.middleware("not callable")
    with pytest.raises(TypeError):
        http.route("/x")(42)


def test_registering_after_load_is_an_error(load):
    h = load(
        """\
        from siphon import http

        @http.route("/late")
        def late(req):
            http.route("/later")(late)
            return http.Response()
        """
    )
    assert h.request("GET", "/late").status == 500
    assert "only be registered while the script loads" in h.log[-1][1]


class TestMatching:
    def test_literal_param_catch_all_precedence(self, load):
        h = app(load, ("/p/{*rest}", None), ("/p/{name}", None), ("/p/fixed", None))
        assert h.request("GET", "/p/fixed").body == b"GET []"
        assert h.request("GET", "/p/other").body == b"GET [('name', 'other')]"
        assert h.request("GET", "/p/a/b").body == b"GET [('rest', 'a/b')]"
        assert h.request("GET", "/p").body == b"GET [('rest', '')]"

    def test_registration_order_does_not_matter(self, load):
        h = app(load, ("/p/fixed", None), ("/p/{name}", None), ("/p/{*rest}", None))
        assert h.request("GET", "/p/fixed").body == b"GET []"
        assert h.request("GET", "/p/x").body == b"GET [('name', 'x')]"

    def test_backtracking(self, load):
        h = app(load, ("/a/b/{x}/end", None), ("/a/{y}/c/d", None))
        assert h.request("GET", "/a/b/c/d").body == b"GET [('y', 'b')]"
        assert h.request("GET", "/a/b/c/end").body == b"GET [('x', 'c')]"
        assert h.request("GET", "/a/b/c/nope").status == 404

    def test_param_wins_over_catch_all_even_when_longer(self, load):
        h = app(load, ("/f/{*rest}", None), ("/f/{a}/{b}", None))
        assert h.request("GET", "/f/1/2").body == b"GET [('a', '1'), ('b', '2')]"
        assert h.request("GET", "/f/1/2/3").body == b"GET [('rest', '1/2/3')]"

    def test_catch_all_zero_and_more_segments(self, load):
        h = app(load, ("/files/{*rest}", None))
        assert h.request("GET", "/files").body == b"GET [('rest', '')]"
        assert h.request("GET", "/files/").body == b"GET [('rest', '')]"
        assert h.request("GET", "/files/a/b").body == b"GET [('rest', 'a/b')]"
        assert h.request("GET", "/files/a/").body == b"GET [('rest', 'a/')]"
        assert h.request("GET", "/filesx").status == 404

    def test_root_and_root_catch_all(self, load):
        h = app(load, ("/", None))
        assert h.request("GET", "/").body == b"GET []"
        assert h.request("GET", "/x").status == 404
        h = app(load, ("/{*all}", None))
        assert h.request("GET", "/").body == b"GET [('all', '')]"
        assert h.request("GET", "/x/y").body == b"GET [('all', 'x/y')]"

    def test_trailing_slash_is_significant(self, load):
        h = app(load, ("/t", None))
        assert h.request("GET", "/t").status == 200
        assert h.request("GET", "/t/").status == 404
        h = app(load, ("/t/", None))
        assert h.request("GET", "/t/").status == 200
        assert h.request("GET", "/t").status == 404

    def test_param_needs_a_non_empty_segment(self, load):
        h = app(load, ("/u/{id}", None))
        assert h.request("GET", "/u/").status == 404
        assert h.request("GET", "/u//").status == 404

    def test_split_before_decoding(self, load):
        h = app(load, ("/u/{a}/{b}", None), ("/u/{a}", None))
        assert h.request("GET", "/u/x%2Fy").body == b"GET [('a', 'x/y')]"
        assert h.request("GET", "/u/x%2fy/z%20w").body == b"GET [('a', 'x/y'), ('b', 'z w')]"

    def test_literal_matches_decoded_segment(self, load):
        h = app(load, ("/caf\u00e9/a b", None))
        assert h.request("GET", "/caf%C3%A9/a%20b").status == 200

    def test_literals_are_case_sensitive(self, load):
        h = app(load, ("/Hello", None))
        assert h.request("GET", "/Hello").status == 200
        assert h.request("GET", "/hello").status == 404

    def test_method_aware_fallthrough_and_allow(self, load):
        h = app(load, ("/m/special", ["POST"]), ("/m/{id}", ["GET"]), ("/m/{*rest}", ["DELETE"]))
        assert h.request("GET", "/m/special").body == b"GET [('id', 'special')]"
        assert h.request("POST", "/m/special").body == b"POST []"
        assert h.request("DELETE", "/m/special").body == b"DELETE [('rest', 'special')]"
        resp = h.request("PUT", "/m/special")
        assert resp.status == 405
        assert resp.headers["allow"] == "DELETE, GET, HEAD, POST"
        # /m/x/y only matches the catch-all: its methods only
        assert h.request("PUT", "/m/x/y").headers["allow"] == "DELETE"


def test_parse_pattern_kinds():
    segs = parse_pattern("/a/{b}/{*c}")
    assert [(s.kind, s.value) for s in segs] == [(0, "a"), (1, "b"), (2, "c")]
    assert [(s.kind, s.value) for s in parse_pattern("/")] == [(0, "")]
    assert [(s.kind, s.value) for s in parse_pattern("/a/")] == [(0, "a"), (0, "")]


@pytest.mark.parametrize(
    "raw, decoded",
    [
        ("/a%20b", "/a b"),
        ("/caf%C3%A9", "/caf\u00e9"),
        ("/x%2Fy", "/x%2Fy"),
        ("/x%2fy%20z", "/x%2fy z"),
        ("/100%25", "/100%"),
        ("/plus+stays", "/plus+stays"),
    ],
)
def test_decoded_path(raw, decoded):
    assert decoded_path(raw) == decoded


def test_a_harness_starts_from_a_clean_registry(load):
    source = "from siphon import http\n@http.route('/x')\ndef x(req):\n    return http.Response()\n"
    a = load(source)
    b = load(source)  # a second load of the same routes is no duplicate
    assert a.routes == b.routes == [("/x", ("GET",))]
    with pytest.raises(RuntimeError, match="already loaded"):
        a.load_source(source)
    assert HttpTestHarness().routes == []
