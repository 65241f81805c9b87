using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("TwoWays")]
public partial class TwoWays
{
    [PyConstructor]
    public TwoWays(string name)
    {
        Name = name;
    }

    [PyConstructor]
    public TwoWays(long id) // SIPH1012
    {
        Name = id.ToString();
    }

    [PyProperty] public string Name { get; }
}
