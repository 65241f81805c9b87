using Siphon.Bindings;

namespace Fixtures.Bad;

public static partial class Outer
{
    [PyClass("Inner")]
    public partial class Inner // SIPH1002
    {
    }
}
