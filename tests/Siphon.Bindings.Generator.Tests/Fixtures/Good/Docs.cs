// XML doc summaries: whitespace, references, keywords, and text that needs escaping in a docstring.
using Siphon.Bindings;

namespace Fixtures.Docs;

/// <summary>
///   A documented class.
///   Spread over    several lines, with <c>code</c> and a <see cref="Documented"/> reference.
/// </summary>
/// <remarks>Remarks are not part of the docstring.</remarks>
[PyClass("Documented")]
public partial class Documented
{
    /// <summary>Returns <see langword="null"/> or <see langword="true"/>; reads <paramref name="maxCount"/>.</summary>
    /// <param name="maxCount">Ignored.</param>
    [PyMethod]
    public bool? Check(int maxCount) => maxCount > 0 ? true : null;

    /// <summary>A backslash \ and "quotes", then three: """ and a trailing quote"</summary>
    [PyProperty] public string Tricky => "";

    /// <summary><para>First paragraph.</para><para>Second paragraph.</para></summary>
    [PyProperty] public string Paragraphs => "";

    [PyProperty] public string Undocumented => "";
}
