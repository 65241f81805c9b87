using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Config;

public class EnvExpanderTests
{
    private static readonly Func<string, string?> Env = name => name switch
    {
        "A" => "alpha",
        "EMPTY" => "",
        "DOLLAR" => "${A}",
        _ => null,
    };

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("${A}", "alpha")]
    [InlineData("x${A}y${A}z", "xalphayalphaz")]
    [InlineData("${EMPTY}", "")]
    [InlineData("${EMPTY:-d}", "d")]
    [InlineData("${UNSET:-d}", "d")]
    [InlineData("${UNSET:-}", "")]
    [InlineData("${A:-d}", "alpha")]
    [InlineData("${UNSET:-http://h:1/p}", "http://h:1/p")]
    [InlineData("${UNSET:-a:-b}", "a:-b")]
    [InlineData("$$", "$")]
    [InlineData("$${A}", "${A}")]
    [InlineData("$$$${A}", "$${A}")]
    [InlineData("$$${A}", "$alpha")]
    [InlineData("$A", "$A")]
    [InlineData("cost: 5$", "cost: 5$")]
    [InlineData("${DOLLAR}", "${A}")]
    [InlineData("${_x_1:-ok}", "ok")]
    public void Expands(string input, string expected)
    {
        Assert.True(EnvExpander.TryExpand(input, Env, out var result, out var error), error);
        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData("${UNSET}", "environment variable UNSET is not set")]
    [InlineData("a ${UNSET} b", "environment variable UNSET is not set")]
    [InlineData("${", "unterminated")]
    [InlineData("${A", "unterminated")]
    [InlineData("${}", "bad variable reference")]
    [InlineData("${:-x}", "bad variable reference")]
    [InlineData("${A-B}", "bad variable reference")]
    [InlineData("${9}", "bad variable reference")]
    public void Rejects(string input, string fragment)
    {
        Assert.False(EnvExpander.TryExpand(input, Env, out _, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }
}
