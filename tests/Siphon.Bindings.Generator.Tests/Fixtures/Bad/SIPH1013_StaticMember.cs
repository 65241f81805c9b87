using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Statics")]
public partial class Statics
{
    [PyMethod]
    public static string Version() => "1"; // SIPH1013
}
