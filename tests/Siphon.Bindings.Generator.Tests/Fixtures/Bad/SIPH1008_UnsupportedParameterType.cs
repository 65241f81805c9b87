using System;
using Siphon.Bindings;

namespace Fixtures.Bad;

[PyClass("Clock")]
public partial class Clock
{
    [PyMethod]
    public string Format(string pattern,
        DateTime when) => when.ToString(pattern); // SIPH1008
}
