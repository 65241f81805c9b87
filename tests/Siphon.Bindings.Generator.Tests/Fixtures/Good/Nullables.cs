// The nullable form of every supported type, as properties, parameters and results.
using System;
using System.Collections.Generic;
using Siphon.Bindings;

namespace Fixtures.Nullables;

[PyClass("Maybe")]
public partial class Maybe
{
    [PyProperty] public string? Name => null;
    [PyProperty] public long? Big => null;
    [PyProperty] public int? Small => null;
    [PyProperty] public bool? Flag => null;
    [PyProperty] public double? Ratio => null;
    [PyProperty] public byte[]? Raw => null;
    [PyProperty] public ReadOnlyMemory<byte>? Body => null;
    [PyProperty] public IReadOnlyDictionary<string, string>? Headers => null;
    [PyProperty] public IReadOnlyList<string>? Tags => null;
    [PyProperty] public Maybe? Next => null;

    [PyMethod]
    public string? Describe(string? name, long? big, int? small, bool? flag, double? ratio, byte[]? raw,
        ReadOnlyMemory<byte>? body, IReadOnlyDictionary<string, string>? headers, IReadOnlyList<string>? tags, Maybe? next) =>
        $"{name}|{big}|{small}|{flag}|{ratio}|{raw?.Length}|{body?.Length}|{headers?.Count}|{tags?.Count}|{next is null}";

    [PyMethod]
    public int? Pick(int? value = null, [PyKeywordOnly] bool? strict = null, long? fallback = 5) => value ?? (strict == true ? 0 : (int?)fallback);
}
