// Sync methods: no arguments, positional, keyword-only (required and with defaults), defaults of every literal kind.
using System;
using System.Collections.Generic;
using Siphon.Bindings;

namespace Fixtures.Methods;

[PyClass("Router", Module = "siphon.http")]
public partial class Router
{
    private int _resets;

    [PyMethod]
    public void Reset() => _resets++;

    [PyMethod]
    public string RaiseForStatus() => "ok";

    [PyMethod]
    public long Add(long a, int b = 2) => a + b;

    [PyMethod]
    public string Route(string path, [PyKeywordOnly] IReadOnlyList<string>? methods = null, string name = "default \"route\"\n",
        bool strict = true, double weight = 1.5, long limit = -1, double scale = 2) =>
        $"{path} {methods?.Count} {name} {strict} {weight} {limit} {scale}";

    [PyMethod]
    public bool Require(string path, [PyKeywordOnly] string token, int retries = 3) => path.Length + token.Length + retries > 0;

    [PyMethod]
    public byte[] Echo(byte[] body, ReadOnlyMemory<byte> extra = default) => [.. body, .. extra.Span];

    [PyMethod]
    public IReadOnlyDictionary<string, string> Headers(IReadOnlyDictionary<string, string> values) => values;

    [PyMethod("count")]
    public int CountTimes(bool reset = false)
    {
        var n = _resets;
        if (reset) _resets = 0;
        return n;
    }

    [PyMethod("describe")]
    public string Describe(int value) => value.ToString();

    [PyMethod("describe_text")]
    public string Describe(string text) => text;
}
