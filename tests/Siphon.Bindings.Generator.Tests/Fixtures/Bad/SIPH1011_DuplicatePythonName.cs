using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Twice")]
public partial class Twice
{
    [PyMethod]
    public void Run()
    {
    }

    [PyMethod("run")]
    public void Execute() // SIPH1011
    {
    }
}
