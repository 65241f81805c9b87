using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("WriteOnly")]
public partial class WriteOnly
{
    private string _name = "";

    [PyProperty]
    public string Name { set => _name = value; } // SIPH1014

    public override string ToString() => _name;
}
