using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("ByRef")]
public partial class ByRef
{
    [PyMethod]
    public void Parse(string text,
        out int value) // SIPH1006
    {
        value = text.Length;
    }
}
