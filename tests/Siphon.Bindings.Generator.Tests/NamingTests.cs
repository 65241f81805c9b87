using Siphon.Bindings;
// Names, literals and docstrings: the small pure functions the emitters are built from.
namespace Siphon.Bindings.Generator.Tests;

public class NamingTests
{
    [Theory]
    [InlineData("RaiseForStatus", "raise_for_status")]
    [InlineData("PathParams", "path_params")]
    [InlineData("HTTPVersion", "http_version")]
    [InlineData("TimeoutMs", "timeout_ms")]
    [InlineData("timeoutMs", "timeout_ms")]
    [InlineData("Http2PriorKnowledge", "http2_prior_knowledge")]
    [InlineData("IPAddress", "ip_address")]
    [InlineData("Get", "get")]
    [InlineData("URL", "url")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("Foo_Bar", "foo_bar")]
    [InlineData("x", "x")]
    public void Snake_case(string csharp, string python) => Assert.Equal(python, Siphon.Bindings.Generator.PyNames.ToSnakeCase(csharp));

    [Theory]
    [InlineData("get", true)]
    [InlineData("__aenter__", true)]
    [InlineData("_private2", true)]
    [InlineData("class", false)]
    [InlineData("None", false)]
    [InlineData("2fast", false)]
    [InlineData("with-dash", false)]
    [InlineData("caf\u00e9", false)]
    [InlineData("", false)]
    [InlineData("match", true)]
    public void Python_identifier(string name, bool valid) => Assert.Equal(valid, PyNames.IsPythonIdentifier(name));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a \"q\" \\ b", "\"a \\\"q\\\" \\\\ b\"")]
    [InlineData("line\nnext\ttab", "\"line\\nnext\\ttab\"")]
    [InlineData("\u0001\u00e9", "\"\\x01\\u00e9\"")]
    [InlineData("\U0001F600", "\"\\U0001f600\"")] // one code point, not two lone surrogates
    public void Python_string_literal(string value, string literal) => Assert.Equal(literal, PyLiterals.Str(value));

    [Theory]
    [InlineData(null, null)]
    [InlineData("<member name=\"T:X\"><remarks>only remarks</remarks></member>", null)]
    [InlineData("<member name=\"T:X\"><summary>\n   Two\n   lines.  </summary></member>", "Two lines.")]
    [InlineData("<member name=\"T:X\"><summary>Use <c>x</c> or <see cref=\"T:A.B.Client\"/>, <see langword=\"null\"/>.</summary></member>", "Use x or Client, None.")]
    [InlineData("<member name=\"M:X.M(System.Int32)\"><summary>Reads <paramref name=\"maxCount\"/>; see <see cref=\"M:A.B.Get(System.String)\">the getter</see>.</summary></member>", "Reads max_count; see the getter.")]
    [InlineData("<member name=\"T:X\"><summary>not xml <</summary></member>", null)]
    public void Summary_text(string? xml, string? text) => Assert.Equal(text, XmlDocSummary.Text(xml));
}
