// [PyProperty(Cached = true)] on every kind of result (str, dict, None, bytes, a bound type, an
// init-only auto-property), with an uncached property between them so the cells are numbered by
// cached properties only. The getters count their calls, so a test can see each converts once.
using System.Collections.Generic;
using Siphon.Bindings;

namespace Fixtures.Cached;

[PyClass("Frozen", Module = "siphon.test")]
public sealed partial class Frozen
{
    private readonly Dictionary<string, string> _params = new() { ["id"] = "7" };
    private int _reads;

    /// <summary>Converted once per Python object.</summary>
    [PyProperty(Cached = true)] public string Name { get { _reads++; return "frozen"; } }

    /// <summary>Not cached: converted on every read (a different value each time).</summary>
    [PyProperty] public int Live => ++_reads;

    [PyProperty(Cached = true)] public IReadOnlyDictionary<string, string> Params { get { _reads++; return _params; } }

    [PyProperty(Cached = true)] public string? Missing { get { _reads++; return null; } }

    [PyProperty(Cached = true)] public byte[] Raw { get { _reads++; return [1, 2]; } }

    [PyProperty(Cached = true)] public Frozen Self { get { _reads++; return this; } }

    [PyProperty(Cached = true)] public string Label { get; init; } = "label";

    /// <summary>How many times a counting getter ran.</summary>
    [PyMethod] public int Reads() => _reads;

    /// <summary>A new C# object, so Python gets a wrapper of its own.</summary>
    [PyMethod] public Frozen Copy() => new();
}
