using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Tools")]
public static partial class Tools // SIPH1004
{
}
