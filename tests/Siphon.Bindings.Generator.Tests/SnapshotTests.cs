// One snapshot of the C# glue and one of the .pyi text per [PyClass] type of the good fixtures,
// produced by calling the emitters directly on the parsed model (no driver).
using System.Runtime.CompilerServices;
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

    /// <summary>Snapshooter writes a missing snapshot and passes; this makes a missing or stale
    /// one fail (a new fixture type fails once, until its freshly written snapshots are committed).</summary>
    [Fact]
    public void Snapshots_exist_for_every_type_and_only_for_them()
    {
        var directory = Path.Combine(Path.GetDirectoryName(SourcePath())!, "__snapshots__");
        var expected = s_models.Value.Keys.SelectMany(n => new[] { $"SnapshotTests.Glue_{n}.snap", $"SnapshotTests.Stub_{n}.snap" })
            .Order(StringComparer.Ordinal);
        var actual = Directory.GetFiles(directory, "*.snap").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    private static string SourcePath([CallerFilePath] string path = "") => path;

    [Fact]
    public void Every_good_fixture_contributes_a_type() =>
        Assert.All(TestHelpers.Fixtures("Good"), f => Assert.NotEmpty(TestHelpers.ParseAll(TestHelpers.FixtureCompilation("Good", f))));
}
