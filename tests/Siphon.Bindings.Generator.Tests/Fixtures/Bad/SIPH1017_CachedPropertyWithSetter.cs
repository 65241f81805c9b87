using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Settable")]
public partial class Settable
{
    [PyProperty(Cached = true)]
    public string Name { get; set; } = ""; // SIPH1017

    // init-only is fine: the value cannot change after construction.
    [PyProperty(Cached = true)]
    public string Fixed { get; init; } = "";
}
