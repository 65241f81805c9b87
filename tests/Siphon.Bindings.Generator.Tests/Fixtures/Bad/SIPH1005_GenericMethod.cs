using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Generic")]
public partial class Generic
{
    [PyMethod]
    public string Show<T>(string value) => value + typeof(T).Name; // SIPH1005
}
