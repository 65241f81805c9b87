using System.Collections.Generic;
using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Counts")]
public partial class Counts
{
    [PyProperty] public string Name => "";

    [PyMethod]
    public Dictionary<string, int> Tally() => new(); // SIPH1009
}
