using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Variadic")]
public partial class Variadic
{
    [PyMethod]
    public int Count(
        params string[] items) => items.Length; // SIPH1007
}
