using System.Threading;
using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Blocking")]
public partial class Blocking
{
    [PyMethod]
    public string Wait(string name,
        CancellationToken cancellationToken) => cancellationToken.IsCancellationRequested ? "" : name; // SIPH1015
}
