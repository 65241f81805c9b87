using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Box")]
public partial class Box<T> // SIPH1003
{
    [PyProperty] public string Name => typeof(T).Name;
}
