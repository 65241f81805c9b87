using Siphon.Runtime.Routing;
using static Siphon.Runtime.Unit.Tests.Routing.R;

namespace Siphon.Runtime.Unit.Tests.Routing;

public class RouteMatchingTests
{
    // ---- literals -------------------------------------------------------------------------

    [Fact]
    public void Root_matches_only_slash_and_empty_path()
    {
        var t = Table(Route("/", 1), Route("/items", 2));
        Found(t, "GET", "/", 1);
        Found(t, "GET", "", 1);
        NotFound(t, "GET", "//");
        NotFound(t, "GET", "/x");
    }

    [Fact]
    public void Literal_paths_match_exactly()
    {
        var t = Table(Route("/items", 1), Route("/items/all", 2));
        Found(t, "GET", "/items", 1);
        Found(t, "GET", "/items/all", 2);
        NotFound(t, "GET", "/items/all/x");
        NotFound(t, "GET", "/item");
        NotFound(t, "GET", "/itemsx");
    }

    [Fact]
    public void Matching_is_case_sensitive()
    {
        var t = Table(Route("/Items", 1));
        Found(t, "GET", "/Items", 1);
        NotFound(t, "GET", "/items");
        NotFound(t, "GET", "/ITEMS");
    }

    [Fact]
    public void Trailing_slash_is_significant()
    {
        var t = Table(Route("/items", 1), Route("/other/", 2));
        NotFound(t, "GET", "/items/");
        Found(t, "GET", "/other/", 2);
        NotFound(t, "GET", "/other");
    }

    [Fact]
    public void Both_slash_forms_can_be_declared()
    {
        var t = Table(Route("/items", 1), Route("/items/", 2));
        Found(t, "GET", "/items", 1);
        Found(t, "GET", "/items/", 2);
    }

    [Fact]
    public void Query_string_is_ignored_and_non_slash_paths_are_not_found()
    {
        var t = Table(Route("/items", 1), Route("/{*all}", 2));
        Found(t, "GET", "/items?x=/y", 1);
        NotFound(t, "OPTIONS", "*");
        NotFound(t, "GET", "http://host/items");
    }

    // ---- params ---------------------------------------------------------------------------

    [Fact]
    public void Param_captures_one_segment()
    {
        var t = Table(Route("/users/{id}", 1));
        var m = Found(t, "GET", "/users/42", 1);
        Assert.Equal(new Dictionary<string, string> { ["id"] = "42" }, m.Params);
        NotFound(t, "GET", "/users/42/x");
        NotFound(t, "GET", "/users");
    }

    [Fact]
    public void Param_does_not_match_an_empty_segment()
    {
        var t = Table(Route("/users/{id}", 1), Route("/a/{x}/b", 2));
        NotFound(t, "GET", "/users/");
        NotFound(t, "GET", "/a//b");
    }

    [Fact]
    public void Several_params()
    {
        var t = Table(Route("/orgs/{org}/repos/{repo}", 1));
        var m = Found(t, "GET", "/orgs/acme/repos/web", 1);
        Assert.Equal(2, m.Params.Count);
        Assert.Equal("acme", m.Params["org"]);
        Assert.Equal("web", m.Params["repo"]);
    }

    [Fact]
    public void Routes_without_params_share_one_empty_dictionary()
    {
        var t = Table(Route("/a", 1), Route("/b", 2));
        var a = Found(t, "GET", "/a", 1);
        var b = Found(t, "GET", "/b", 2);
        Assert.Empty(a.Params);
        Assert.Same(a.Params, b.Params);
        Assert.Same(a.Params, default(RouteMatch).Params);
    }

    [Fact]
    public void Each_match_gets_its_own_params()
    {
        var t = Table(Route("/u/{id}", 1));
        var a = Found(t, "GET", "/u/1", 1);
        var b = Found(t, "GET", "/u/2", 1);
        Assert.NotSame(a.Params, b.Params);
        Assert.Equal("1", a.Params["id"]);
        Assert.Equal("2", b.Params["id"]);
    }

    [Fact]
    public void Same_shape_with_different_names_per_method_uses_each_routes_names()
    {
        var t = Table(Route("/x/{id}", 1, "GET"), Route("/x/{key}", 2, "POST"));
        Assert.Equal("7", Found(t, "GET", "/x/7", 1).Params["id"]);
        Assert.Equal("7", Found(t, "POST", "/x/7", 2).Params["key"]);
        Assert.False(Found(t, "POST", "/x/7", 2).Params.ContainsKey("id"));
    }

    // ---- catch-all ------------------------------------------------------------------------

    [Theory]
    [InlineData("/files", "")]
    [InlineData("/files/", "")]
    [InlineData("/files/a", "a")]
    [InlineData("/files/a/b/c.txt", "a/b/c.txt")]
    [InlineData("/files/a/", "a/")]
    [InlineData("/files//a", "/a")]
    public void Catch_all_takes_zero_or_more_segments(string path, string rest)
    {
        var t = Table(Route("/files/{*rest}", 1));
        var m = Found(t, "GET", path, 1);
        Assert.Equal(rest, m.Params["rest"]);
        Assert.Single(m.Params);
    }

    [Fact]
    public void Catch_all_does_not_match_a_longer_literal()
    {
        var t = Table(Route("/files/{*rest}", 1));
        NotFound(t, "GET", "/filesx");
        NotFound(t, "GET", "/");
    }

    [Theory]
    [InlineData("/", "")]
    [InlineData("/a", "a")]
    [InlineData("/a/b", "a/b")]
    public void Root_catch_all_matches_everything(string path, string all)
    {
        var t = Table(Route("/{*all}", 1));
        Assert.Equal(all, Found(t, "GET", path, 1).Params["all"]);
    }

    [Fact]
    public void Catch_all_with_params_before_it()
    {
        var t = Table(Route("/repos/{repo}/blob/{*path}", 1));
        var m = Found(t, "GET", "/repos/web/blob/src/main.py", 1);
        Assert.Equal("web", m.Params["repo"]);
        Assert.Equal("src/main.py", m.Params["path"]);
        Assert.Equal("", Found(t, "GET", "/repos/web/blob", 1).Params["path"]);
        NotFound(t, "GET", "/repos/web");
    }

    // ---- percent-decoding -----------------------------------------------------------------

    [Fact]
    public void Space_escape_is_decoded_in_params_and_literals()
    {
        var t = Table(Route("/a b", 1), Route("/p/{name}", 2));
        Found(t, "GET", "/a%20b", 1);
        Assert.Equal("John Smith", Found(t, "GET", "/p/John%20Smith", 2).Params["name"]);
    }

    [Fact]
    public void Encoded_pattern_literal_matches_encoded_and_plain_requests()
    {
        var t = Table(Route("/caf%C3%A9", 1));
        Found(t, "GET", "/caf%C3%A9", 1);
        Found(t, "GET", "/caf%c3%a9", 1);
        Found(t, "GET", "/café", 1);
    }

    [Fact]
    public void Encoded_slash_in_a_param_does_not_split_segments()
    {
        var t = Table(Route("/p/{name}", 1), Route("/p/{a}/{b}", 2));
        var m = Found(t, "GET", "/p/a%2Fb", 1);
        Assert.Equal("a/b", m.Params["name"]);
        Assert.Equal("a/b", Found(t, "GET", "/p/a%2fb", 1).Params["name"]);
    }

    [Fact]
    public void Encoded_slash_does_not_match_a_two_segment_literal()
    {
        var t = Table(Route("/a/b", 1), Route("/{x}", 2));
        Found(t, "GET", "/a/b", 1);
        Assert.Equal("a/b", Found(t, "GET", "/a%2Fb", 2).Params["x"]);
    }

    [Fact]
    public void Catch_all_value_is_the_decoded_remainder()
    {
        var t = Table(Route("/files/{*rest}", 1));
        Assert.Equal("dir one/a/b/caf\u00e9", Found(t, "GET", "/files/dir%20one/a%2Fb/caf%C3%A9", 1).Params["rest"]);
    }

    [Fact]
    public void Utf8_escapes_are_decoded()
    {
        var t = Table(Route("/p/{name}", 1));
        Assert.Equal("é", Found(t, "GET", "/p/%C3%A9", 1).Params["name"]);
        Assert.Equal("€", Found(t, "GET", "/p/%E2%82%AC", 1).Params["name"]);
        Assert.Equal("😀", Found(t, "GET", "/p/%F0%9F%98%80", 1).Params["name"]);
        Assert.Equal("é", Found(t, "GET", "/p/é", 1).Params["name"]);
    }

    [Theory]
    [InlineData("/p/%zz", "%zz")]
    [InlineData("/p/%2", "%2")]
    [InlineData("/p/%", "%")]
    [InlineData("/p/a%", "a%")]
    [InlineData("/p/100%25", "100%")]
    [InlineData("/p/%%41", "%A")]
    [InlineData("/p/%C3", "%C3")]              // truncated UTF-8 stays literal
    [InlineData("/p/%C3%28", "%C3(")]          // invalid continuation: bad byte literal, next decoded
    [InlineData("/p/%E9t%C3%A9", "%E9té")]    // Latin-1 byte is not UTF-8
    [InlineData("/p/%C0%AF", "%C0%AF")]        // overlong '/'
    [InlineData("/p/%ED%A0%80", "%ED%A0%80")]  // encoded surrogate
    public void Malformed_or_non_utf8_escapes_stay_literal(string path, string value)
    {
        var t = Table(Route("/p/{name}", 1));
        Assert.Equal(value, Found(t, "GET", path, 1).Params["name"]);
    }

    [Fact]
    public void Plus_stays_plus()
    {
        var t = Table(Route("/p/{name}", 1), Route("/c++", 2));
        Assert.Equal("a+b", Found(t, "GET", "/p/a+b", 1).Params["name"]);
        Assert.Equal("a+b", Found(t, "GET", "/p/a%2Bb", 1).Params["name"]);
        Found(t, "GET", "/c++", 2);
        Found(t, "GET", "/c%2B%2B", 2);
    }

    [Fact]
    public void Long_paths_with_escapes_decode()
    {
        var t = Table(Route("/p/{name}", 1), Route("/deep/{*rest}", 2));
        string big = string.Concat(Enumerable.Repeat("%C3%A9", 400));
        Assert.Equal(new string('é', 400), Found(t, "GET", "/p/" + big, 1).Params["name"]);
        string many = string.Join("/", Enumerable.Range(0, 100).Select(i => i + "%20"));
        Assert.Equal(string.Join("/", Enumerable.Range(0, 100).Select(i => i + " ")),
            Found(t, "GET", "/deep/" + many, 2).Params["rest"]);
    }

    // ---- precedence -----------------------------------------------------------------------

    [Fact]
    public void Literal_beats_param_beats_catch_all()
    {
        var t = Table(Route("/x/{*rest}", 1), Route("/x/{id}", 2), Route("/x/new", 3));
        Found(t, "GET", "/x/new", 3);
        Assert.Equal("7", Found(t, "GET", "/x/7", 2).Params["id"]);
        Assert.Equal("7/8", Found(t, "GET", "/x/7/8", 1).Params["rest"]);
        Assert.Equal("", Found(t, "GET", "/x", 1).Params["rest"]);
    }

    [Fact]
    public void Precedence_does_not_depend_on_declaration_order()
    {
        var t = Table(Route("/x/new", 3), Route("/x/{id}", 2), Route("/x/{*rest}", 1));
        Found(t, "GET", "/x/new", 3);
        Found(t, "GET", "/x/7", 2);
        Found(t, "GET", "/x/7/8", 1);
    }

    [Fact]
    public void Pattern_ending_here_beats_empty_catch_all()
    {
        var t = Table(Route("/files/{*rest}", 1), Route("/files", 2), Route("/files/", 3));
        Found(t, "GET", "/files", 2);
        Found(t, "GET", "/files/", 3);
        Assert.Equal("a", Found(t, "GET", "/files/a", 1).Params["rest"]);
    }

    [Fact]
    public void Leftmost_difference_decides()
    {
        // /a/b/{y} has a literal at position 2, /a/{x}/c a param: the literal wins for both paths.
        var t = Table(Route("/a/{x}/c", 1), Route("/a/b/{y}", 2));
        Assert.Equal("c", Found(t, "GET", "/a/b/c", 2).Params["y"]);
        Assert.Equal("d", Found(t, "GET", "/a/b/d", 2).Params["y"]);
        Assert.Equal("q", Found(t, "GET", "/a/q/c", 1).Params["x"]);
        NotFound(t, "GET", "/a/q/d");
    }

    [Fact]
    public void Walk_backtracks_from_literal_to_param()
    {
        var t = Table(Route("/a/{x}/c", 1), Route("/a/b/d", 2));
        Assert.Equal("b", Found(t, "GET", "/a/b/c", 1).Params["x"]);
        Found(t, "GET", "/a/b/d", 2);
        NotFound(t, "GET", "/a/b/e");
    }

    [Fact]
    public void Walk_backtracks_to_catch_all()
    {
        var t = Table(Route("/a/b/c", 1), Route("/a/{x}/d", 2), Route("/a/{*r}", 3));
        Found(t, "GET", "/a/b/c", 1);
        Found(t, "GET", "/a/b/d", 2);
        Assert.Equal("b/x", Found(t, "GET", "/a/b/x", 3).Params["r"]);
        Assert.Equal("b/c/d", Found(t, "GET", "/a/b/c/d", 3).Params["r"]);
    }

    [Fact]
    public void Params_come_from_the_route_that_matched_after_backtracking()
    {
        var t = Table(Route("/{a}/{b}/z", 1), Route("/{c}/y/{d}", 2));
        var m = Found(t, "GET", "/1/y/z", 2); // position 1: literal y beats {b}
        Assert.Equal(new Dictionary<string, string> { ["c"] = "1", ["d"] = "z" }, m.Params);
        m = Found(t, "GET", "/1/2/z", 1);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, m.Params);
    }

    // ---- 404 / 405 ------------------------------------------------------------------------

    [Fact]
    public void Empty_table_finds_nothing()
    {
        var t = Table();
        NotFound(t, "GET", "/");
        Assert.Empty(t.Routes);
    }

    [Fact]
    public void Wrong_method_is_405_with_sorted_allow()
    {
        var t = Table(Route("/items", 1, "POST", "GET"));
        var m = t.Match("DELETE", "/items");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal("GET, HEAD, POST", m.Allow);
        Assert.Null(m.Route);
        Assert.Equal(-1, m.HandlerId);
        Assert.Empty(m.Params);
    }

    [Fact]
    public void Allow_without_get_has_no_head_and_options_only_when_declared()
    {
        var t = Table(Route("/a", 1, "PUT", "POST"), Route("/b", 2, "OPTIONS", "DELETE"));
        Assert.Equal("POST, PUT", t.Match("GET", "/a").Allow);
        Assert.Equal("DELETE, OPTIONS", t.Match("GET", "/b").Allow);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, t.Match("OPTIONS", "/a").Kind);
        Found(t, "OPTIONS", "/b", 2);
    }

    [Fact]
    public void Allow_merges_all_routes_whose_path_matches()
    {
        var t = Table(Route("/x/new", 1, "POST"), Route("/x/{id}", 2, "PUT"), Route("/x/{*rest}", 3, "DELETE", "GET"),
            Route("/y", 4, "PATCH"));
        var m = t.Match("TRACE", "/x/new");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal("DELETE, GET, HEAD, POST, PUT", m.Allow);
    }

    [Fact]
    public void Method_selects_among_matching_shapes_before_giving_405()
    {
        var t = Table(Route("/a/b", 1, "POST"), Route("/a/{x}", 2, "GET"));
        Found(t, "POST", "/a/b", 1);
        Assert.Equal("b", Found(t, "GET", "/a/b", 2).Params["x"]);
    }

    [Fact]
    public void Path_not_matched_is_404_even_if_method_exists_elsewhere()
    {
        var t = Table(Route("/a", 1, "GET", "POST"));
        NotFound(t, "POST", "/b");
    }

    // ---- HEAD -----------------------------------------------------------------------------

    [Fact]
    public void Head_falls_back_to_get()
    {
        var t = Table(Route("/items/{id}", 1, "GET"));
        var m = Found(t, "HEAD", "/items/9", 1);
        Assert.True(m.IsHeadFallback);
        Assert.Equal("9", m.Params["id"]);
        Assert.False(Found(t, "GET", "/items/9", 1).IsHeadFallback);
    }

    [Fact]
    public void Explicit_head_route_wins_over_fallback()
    {
        var t = Table(Route("/items", 1, "GET"), Route("/items", 2, "HEAD"));
        var m = Found(t, "HEAD", "/items", 2);
        Assert.False(m.IsHeadFallback);
        Found(t, "GET", "/items", 1);
    }

    [Fact]
    public void Head_only_route_does_not_serve_get()
    {
        var t = Table(Route("/ping", 1, "HEAD"));
        var m = t.Match("GET", "/ping");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal("HEAD", m.Allow);
    }

    [Fact]
    public void Head_without_get_is_405()
    {
        var t = Table(Route("/items", 1, "POST"));
        var m = t.Match("HEAD", "/items");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal("POST", m.Allow);
        Assert.False(m.IsHeadFallback);
    }

    [Fact]
    public void Head_goes_where_get_goes()
    {
        // The more specific shape has GET; a less specific one declares HEAD explicitly.
        var t = Table(Route("/a/b", 1, "GET"), Route("/a/{x}", 2, "HEAD"));
        var m = Found(t, "HEAD", "/a/b", 1);
        Assert.True(m.IsHeadFallback);
        Assert.False(Found(t, "HEAD", "/a/c", 2).IsHeadFallback);
    }

    // ---- method case ----------------------------------------------------------------------

    [Fact]
    public void Definition_methods_are_upper_cased_and_deduplicated()
    {
        var r = new RouteDefinition("/x", ["get", "Post", "GET"], 1, "app.py", 3);
        Assert.Equal(["GET", "POST"], r.Methods);
        var t = RouteTable.Build([r]);
        Found(t, "GET", "/x", 1);
        Found(t, "POST", "/x", 1);
        Assert.Equal("GET, HEAD, POST", t.Match("PUT", "/x").Allow);
    }

    [Fact]
    public void With_expression_also_upper_cases()
    {
        var r = new RouteDefinition("/x", ["GET"], 1, "app.py", 3) with { Methods = ["delete"] };
        Assert.Equal(["DELETE"], r.Methods);
    }

    [Fact]
    public void Request_method_is_case_sensitive()
    {
        var t = Table(Route("/x", 1, "get"));
        Found(t, "GET", "/x", 1);
        var m = t.Match("get", "/x");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal("GET, HEAD", m.Allow);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, t.Match("head", "/x").Kind);
    }

    [Fact]
    public void Custom_method_tokens_work()
    {
        var t = Table(Route("/dav", 1, "PROPFIND", "M-SEARCH"));
        Found(t, "PROPFIND", "/dav", 1);
        Found(t, "M-SEARCH", "/dav", 1);
        Assert.Equal("M-SEARCH, PROPFIND", t.Match("GET", "/dav").Allow);
    }

    [Fact]
    public void Literal_match_without_escapes_allocates_nothing()
    {
        var t = Table(Route("/api/v1/health", 1), Route("/api/v1/{x}", 2, "POST"), Route("/api/{*r}", 3, "PUT"));
        Found(t, "GET", "/api/v1/health?probe=1", 1); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            t.Match("GET", "/api/v1/health?probe=1");
            t.Match("HEAD", "/api/v1/health");
            t.Match("GET", "/nope/at/all");
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Match_result_carries_the_definition()
    {
        var def = new RouteDefinition("/u/{id}", ["GET"], 17, "svc.py", 40);
        var t = RouteTable.Build([def]);
        var m = t.Match("GET", "/u/1");
        Assert.Same(def, m.Route);
        Assert.Equal(17, m.HandlerId);
        Assert.Same(def, Assert.Single(t.Routes));
    }
}
