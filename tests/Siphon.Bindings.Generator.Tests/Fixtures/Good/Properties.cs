// Every supported property type, non-nullable; names snake-cased, given, and type-hinted.
using System;
using System.Collections.Generic;
using Siphon.Bindings;

namespace Fixtures.Properties;

[PyClass("Everything", Module = "siphon.test")]
public sealed partial class Everything
{
    [PyProperty] public string Name => "name";
    [PyProperty] public long Big => 1L << 40;
    [PyProperty] public int Small => 7;
    [PyProperty] public bool Flag => true;
    [PyProperty] public double Ratio => 0.5;
    [PyProperty] public byte[] Raw => [1, 2, 3];
    [PyProperty] public ReadOnlyMemory<byte> Body => new byte[] { 4 };
    [PyProperty] public IReadOnlyDictionary<string, string> Headers => new Dictionary<string, string>();
    [PyProperty] public IReadOnlyList<string> Tags => ["a"];
    [PyProperty] public string HTTPVersion => "1.1";
    [PyProperty("content_type")] public string Mime => "text/plain";
    [PyProperty, PyTypeHint("Literal[\"GET\", \"POST\"]")] public string Method => "GET";

    // Not attributed: not part of the Python surface.
    public string Hidden => "hidden";
}
