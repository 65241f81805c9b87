using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Keywords")]
public partial class Keywords
{
    [PyMethod("class")]
    public string Kind() => "k"; // SIPH1016
}
