using Siphon.Runtime.Routing;
using static Siphon.Runtime.Unit.Tests.Routing.R;

namespace Siphon.Runtime.Unit.Tests.Routing;

public class RouteTableBuildTests
{
    [Fact]
    public void Same_shape_different_param_names_conflict_and_name_both_lines()
    {
        var ex = Assert.Throws<RouteTableException>(() => Table(Route("/x/{key}", 5), Route("/x/{id}", 12)));
        Assert.Equal("app.py:12: route \"/x/{id}\" GET conflicts with app.py:5 route \"/x/{key}\"", ex.Message);
        Assert.Equal("app.py", ex.ScriptFile);
        Assert.Equal(12, ex.ScriptLine);
        Assert.Equal("/x/{id}", ex.Route.Pattern);
    }

    [Fact]
    public void Identical_literal_routes_conflict()
    {
        var ex = Assert.Throws<RouteTableException>(() => Table(Route("/a", 1), Route("/a", 2)));
        Assert.Equal("app.py:2: route \"/a\" GET conflicts with app.py:1 route \"/a\"", ex.Message);
    }

    [Fact]
    public void Catch_alls_at_the_same_position_conflict()
    {
        var ex = Assert.Throws<RouteTableException>(() =>
            Table(Route("/f/{id}/{*rest}", 3, "GET", "POST"), Route("/f/{x}/{*path}", 9, "PUT", "POST")));
        Assert.Equal("app.py:9: route \"/f/{x}/{*path}\" POST conflicts with app.py:3 route \"/f/{id}/{*rest}\"", ex.Message);
    }

    [Fact]
    public void Conflict_across_files_names_each_file()
    {
        var a = new RouteDefinition("/h", ["GET"], 0, "main.py", 4);
        var b = new RouteDefinition("/h", ["get"], 1, "lib/extra.py", 20);
        var ex = Assert.Throws<RouteTableException>(() => RouteTable.Build([a, b]));
        Assert.Equal("lib/extra.py:20: route \"/h\" GET conflicts with main.py:4 route \"/h\"", ex.Message);
    }

    [Fact]
    public void Encoded_and_plain_literals_are_the_same_shape()
    {
        var ex = Assert.Throws<RouteTableException>(() => Table(Route("/a b", 1), Route("/a%20b", 2)));
        Assert.Equal("app.py:2: route \"/a%20b\" GET conflicts with app.py:1 route \"/a b\"", ex.Message);
    }

    [Fact]
    public void Same_pattern_with_different_methods_is_not_a_conflict()
    {
        var t = Table(Route("/x/{id}", 1, "GET"), Route("/x/{id}", 2, "POST"), Route("/x/{id}", 3, "DELETE"));
        Found(t, "GET", "/x/1", 1);
        Found(t, "POST", "/x/1", 2);
        Found(t, "DELETE", "/x/1", 3);
        Assert.Equal("DELETE, GET, HEAD, POST", t.Match("PUT", "/x/1").Allow);
    }

    [Fact]
    public void Overlapping_shapes_are_not_conflicts()
    {
        var t = Table(
            Route("/x/new", 1), Route("/x/{id}", 2), Route("/x/{*rest}", 3),
            Route("/x", 4), Route("/x/", 5), Route("/{a}/new", 6));
        Assert.Equal(6, t.Routes.Count);
        Found(t, "GET", "/x/new", 1);
        Found(t, "GET", "/y/new", 6);
    }

    [Fact]
    public void Get_and_explicit_head_on_one_pattern_do_not_conflict()
    {
        var t = Table(Route("/x", 1, "GET"), Route("/x", 2, "HEAD"));
        Assert.Equal(2, t.Routes.Count);
    }

    [Fact]
    public void Duplicate_method_in_one_route_is_not_a_self_conflict()
    {
        var t = Table(Route("/x", 1, "GET", "get", "GET"));
        Found(t, "GET", "/x", 1);
    }

    [Fact]
    public void Bad_pattern_is_wrapped_with_location()
    {
        var ex = Assert.Throws<RouteTableException>(() => Table(Route("/ok", 5), Route("/x/{", 12)));
        Assert.Equal("app.py:12: bad route pattern \"/x/{\": unclosed '{' in segment \"{\"", ex.Message);
        var inner = Assert.IsType<RoutePatternException>(ex.InnerException);
        Assert.Equal("unclosed '{' in segment \"{\"", inner.Reason);
        Assert.Equal(12, ex.ScriptLine);
    }

    [Theory]
    [InlineData("/a/{*}", "catch-all '{*}' needs a name, e.g. '{*rest}'")]
    [InlineData("/a/{id}/{id}", "duplicate parameter name 'id'")]
    [InlineData("a", "must start with '/'")]
    public void Every_pattern_error_reaches_the_table_error(string pattern, string reason)
    {
        var ex = Assert.Throws<RouteTableException>(() => Table(Route(pattern, 7)));
        Assert.Equal($"app.py:7: bad route pattern \"{pattern}\": {reason}", ex.Message);
    }

    [Fact]
    public void Route_without_methods_is_rejected()
    {
        var ex = Assert.Throws<RouteTableException>(() =>
            RouteTable.Build([new RouteDefinition("/x", [], 0, "app.py", 8)]));
        Assert.Equal("app.py:8: route \"/x\" declares no methods", ex.Message);
    }

    [Theory]
    [InlineData("GE T")]
    [InlineData("")]
    [InlineData("GET\r\n")]
    [InlineData("POST/1")]
    public void Invalid_method_token_is_rejected(string method)
    {
        var ex = Assert.Throws<RouteTableException>(() =>
            RouteTable.Build([new RouteDefinition("/x", [method], 0, "app.py", 8)]));
        Assert.Equal($"app.py:8: route \"/x\" has an invalid method \"{method.ToUpperInvariant()}\"", ex.Message);
    }

    [Fact]
    public void Null_method_entry_is_reported_not_crashing()
    {
        var ex = Assert.Throws<RouteTableException>(() =>
            RouteTable.Build([new RouteDefinition("/x", ["GET", null!], 0, "app.py", 8)]));
        Assert.Equal("app.py:8: route \"/x\" has an invalid method \"\"", ex.Message);
    }

    [Fact]
    public void Routes_keep_declaration_order()
    {
        var t = Table(Route("/b", 2), Route("/a", 1), Route("/c", 3));
        Assert.Equal([2, 1, 3], t.Routes.Select(r => r.ScriptLine));
    }

    [Fact]
    public void Table_is_safe_for_concurrent_matching()
    {
        var t = Table(Route("/u/{id}", 1), Route("/u/me", 2), Route("/f/{*rest}", 3));
        Parallel.For(0, 2000, i =>
        {
            Assert.Equal(i.ToString(), t.Match("GET", $"/u/{i}").Params["id"]);
            Assert.Equal(2, t.Match("GET", "/u/me").HandlerId);
            Assert.Equal($"a b/{i}", t.Match("GET", $"/f/a%20b/{i}").Params["rest"]);
        });
    }
}
