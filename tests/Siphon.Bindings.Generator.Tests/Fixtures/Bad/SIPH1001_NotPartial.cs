using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("NotPartial")]
public class NotPartial // SIPH1001
{
    [PyProperty] public string Name => "";
}
