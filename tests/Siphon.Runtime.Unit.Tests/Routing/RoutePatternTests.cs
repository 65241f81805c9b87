using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Unit.Tests.Routing;

public class RoutePatternTests
{
    [Fact]
    public void Root_is_one_empty_literal()
    {
        var p = RoutePattern.Parse("/");
        Assert.Equal([new RouteSegment(RouteSegmentKind.Literal, "")], p.Segments);
        Assert.Equal(0, p.ParameterCount);
        Assert.False(p.HasCatchAll);
    }

    [Fact]
    public void Literal_param_and_catch_all_segments()
    {
        var p = RoutePattern.Parse("/users/{id}/files/{*rest}");
        Assert.Equal(
            [
                new RouteSegment(RouteSegmentKind.Literal, "users"),
                new RouteSegment(RouteSegmentKind.Parameter, "id"),
                new RouteSegment(RouteSegmentKind.Literal, "files"),
                new RouteSegment(RouteSegmentKind.CatchAll, "rest"),
            ],
            p.Segments);
        Assert.Equal(2, p.ParameterCount);
        Assert.True(p.HasCatchAll);
        Assert.Equal("/users/{id}/files/{*rest}", p.Text);
    }

    [Fact]
    public void Trailing_slash_is_an_empty_last_literal()
    {
        var p = RoutePattern.Parse("/items/");
        Assert.Equal(
            [new RouteSegment(RouteSegmentKind.Literal, "items"), new RouteSegment(RouteSegmentKind.Literal, "")],
            p.Segments);
    }

    [Fact]
    public void Literal_text_is_percent_decoded()
    {
        var p = RoutePattern.Parse("/caf%C3%A9/a%20b");
        Assert.Equal("café", p.Segments[0].Value);
        Assert.Equal("a b", p.Segments[1].Value);
    }

    [Fact]
    public void Underscore_and_digits_in_names_are_identifiers()
    {
        var p = RoutePattern.Parse("/{_a1}/{*B_2}");
        Assert.Equal("_a1", p.Segments[0].Value);
        Assert.Equal("B_2", p.Segments[1].Value);
    }

    [Theory]
    [InlineData("", "must start with '/'")]
    [InlineData("items", "must start with '/'")]
    [InlineData("/x/{", "unclosed '{' in segment \"{\"")]
    [InlineData("/x/{id", "unclosed '{' in segment \"{id\"")]
    [InlineData("/x/{id/y}", "unclosed '{' in segment \"{id\"")]
    [InlineData("/x/}", "unmatched '}' in segment \"}\"")]
    [InlineData("/x/}{id}", "unmatched '}' in segment \"}{id}\"")]
    [InlineData("/x/{id}}", "unmatched '}' in segment \"{id}}\"")]
    [InlineData("/x/{}", "empty parameter name '{}'")]
    [InlineData("/x/{*}", "catch-all '{*}' needs a name, e.g. '{*rest}'")]
    [InlineData("/x/{1a}", "parameter name '1a' is not an identifier (ASCII letters, digits and '_', not starting with a digit)")]
    [InlineData("/x/{a-b}", "parameter name 'a-b' is not an identifier (ASCII letters, digits and '_', not starting with a digit)")]
    [InlineData("/x/{ id}", "parameter name ' id' is not an identifier (ASCII letters, digits and '_', not starting with a digit)")]
    [InlineData("/x/{**r}", "parameter name '*r' is not an identifier (ASCII letters, digits and '_', not starting with a digit)")]
    [InlineData("/x/{id}/{id}", "duplicate parameter name 'id'")]
    [InlineData("/x/{id}/{*id}", "duplicate parameter name 'id'")]
    [InlineData("/x/{*rest}/y", "catch-all '{*rest}' must be the last segment")]
    [InlineData("/x/{*rest}/", "catch-all '{*rest}' must be the last segment")]
    [InlineData("/x/v{id}", "segment \"v{id}\" mixes literal text and a parameter, which is not supported; a parameter must be a whole segment, e.g. \"/{name}\"")]
    [InlineData("/x/{id}.json", "segment \"{id}.json\" mixes literal text and a parameter, which is not supported; a parameter must be a whole segment, e.g. \"/{name}\"")]
    [InlineData("/x/{a}{b}", "segment \"{a}{b}\" has more than one parameter, which is not supported; use one segment per parameter")]
    [InlineData("/x/{a{b}}", "nested '{' in segment \"{a{b}}\"")]
    [InlineData("/x//y", "empty segment ('//')")]
    [InlineData("//", "empty segment ('//')")]
    [InlineData("/x?y=1", "'?' is not allowed; a route pattern is a path only (no query string or fragment)")]
    [InlineData("/x#top", "'#' is not allowed; a route pattern is a path only (no query string or fragment)")]
    public void Bad_patterns_name_the_reason(string pattern, string reason)
    {
        var ex = Assert.Throws<RoutePatternException>(() => RoutePattern.Parse(pattern));
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(pattern, ex.Pattern);
        Assert.Equal($"bad route pattern \"{pattern}\": {reason}", ex.Message);
    }

    [Fact]
    public void Null_pattern_throws_argument_null()
    {
        Assert.Throws<ArgumentNullException>(() => RoutePattern.Parse(null!));
    }
}
