// One snapshot of the C# glue and one of the .pyi text per [PyClass] type of the good fixtures,
// produced by calling the emitters directly on the parsed model (no driver).
using Siphon.Bindings.Generator.Model;
using Snapshooter;
using Snapshooter.Xunit;

namespace Siphon.Bindings.Generator.Tests;

public class SnapshotTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, TypeSpec>> s_models = new(TestHelpers.GoodModels);

    public static TheoryData<string> TypeNames => new(s_models.Value.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Glue(string pyName) =>
        Snapshot.Match(BindingGenerator.EmitGlue(s_models.Value[pyName]), SnapshotNameExtension.Create(pyName));

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Stub(string pyName) =>
        Snapshot.Match(BindingGenerator.EmitStub(s_models.Value[pyName]), SnapshotNameExtension.Create(pyName));

    [Fact]
    public void Every_good_fixture_contributes_a_type() =>
        Assert.All(TestHelpers.Fixtures("Good"), f => Assert.NotEmpty(TestHelpers.ParseAll(TestHelpers.FixtureCompilation("Good", f))));
}
