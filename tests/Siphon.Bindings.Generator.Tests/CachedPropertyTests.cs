// [PyProperty(Cached = true)] through the parser and the glue emitter: the model records it, the
// cells are numbered by cached properties only, the definition says how many an instance keeps,
// and the Python surface (the stub) is the same as without it.
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator.Tests;

public class CachedPropertyTests
{
    private static TypeSpec Parse(string text) =>
        Assert.Single(TestHelpers.ParseAll(TestHelpers.Compile("Cached", TestHelpers.Parse(text, "Good/Cached.cs")))).Type
            ?? throw new InvalidOperationException("the fixture failed to parse");

    private static readonly Lazy<TypeSpec> s_frozen = new(() => Parse(TestHelpers.FixtureText("Good", "Cached")));

    [Fact]
    public void The_model_marks_cached_properties_and_counts_their_cells()
    {
        var type = s_frozen.Value;
        Assert.Equal(
            new[] { ("Name", true), ("Live", false), ("Params", true), ("Missing", true), ("Raw", true), ("Self", true), ("Label", true) },
            type.Properties.Select(p => (p.CsName, p.IsCached)));
        Assert.Equal(6, type.CacheSlotCount);
        Assert.Equal(0, TestHelpers.GoodModels()["Everything"].CacheSlotCount);
    }

    [Fact]
    public void Cached_getters_read_their_cell_first_and_fill_it()
    {
        var glue = BindingGenerator.EmitGlue(s_frozen.Value);
        Assert.Equal(0, Cell(glue, "Name"));
        Assert.Null(Cell(glue, "Live"));
        Assert.Equal(1, Cell(glue, "Params"));
        Assert.Equal(5, Cell(glue, "Label"));
        Assert.Contains("return global::Siphon.Runtime.Python.Binding.BoundObject.Cache(self, 1, global::Siphon.Runtime.Python.PyConvert.ToPy(", glue);
        Assert.Contains("__py_stub,\n        CacheSlots: 6);", glue);
    }

    [Fact]
    public void A_type_without_cached_properties_keeps_the_default_layout()
    {
        var glue = BindingGenerator.EmitGlue(TestHelpers.GoodModels()["Everything"]);
        Assert.DoesNotContain("BoundObject.Cached(", glue);
        Assert.DoesNotContain("CacheSlots", glue);
    }

    [Fact]
    public void Caching_leaves_the_python_surface_alone()
    {
        var plain = Parse(TestHelpers.FixtureText("Good", "Cached").Replace("(Cached = true)", ""));
        Assert.All(plain.Properties, p => Assert.False(p.IsCached));
        Assert.Equal(BindingGenerator.EmitStub(plain), BindingGenerator.EmitStub(s_frozen.Value));
        Assert.NotEqual(plain, s_frozen.Value); // but the model differs, so the glue is emitted again
    }

    /// <summary>The cell the getter of <paramref name="property"/> reads, or null when it reads none.</summary>
    private static int? Cell(string glue, string property)
    {
        var start = glue.IndexOf($"__py_get_{property}(nint self", StringComparison.Ordinal);
        Assert.True(start >= 0, property);
        var end = glue.IndexOf("\n    }\n", start, StringComparison.Ordinal);
        var body = glue[start..end];
        const string marker = "BoundObject.Cached(self, ";
        var at = body.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : int.Parse(body[(at + marker.Length)..body.IndexOf(')', at)]);
    }
}
