using Siphon.Analyzers.Drift;
using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>Runs alone: it reads the process-wide count of comparisons, which other tests' analyzer
/// runs would move.</summary>
[CollectionDefinition(nameof(OnePassCollection), DisableParallelization = true)]
public class OnePassCollection;

/// <summary>The five drift rules share one comparison per compared module and compilation: however
/// many rules find drift, the SDK mock is read and compared with the runtime surface once.</summary>
[Collection(nameof(OnePassCollection))]
public class OnePassTests
{
    [Fact]
    public async Task Drift_under_several_rules_costs_one_comparison()
    {
        // SIPH0004 (the mock's Client.get is no coroutine) and SIPH0003 (raise_for_status gains a parameter).
        var mock = Replace(Mock, "async def get(self, path, *, headers", "def get(self, path, *, headers");
        var csharp = Replace(CSharp(Types), "public Response RaiseForStatus()", "public Response RaiseForStatus(bool strict = false)");

        var before = MockDriftAnalyzer.Comparisons;
        var diagnostics = await DriftTest.RunAsync(csharp, mock, RuntimePy);
        var after = MockDriftAnalyzer.Comparisons;

        Assert.True(diagnostics.Select(d => d.Id).Distinct().Count() >= 2,
            "the seeded drift should fall under at least two rules:\n" + string.Join("\n", diagnostics));
        Assert.Equal(1, after - before);
    }

    [Fact]
    public async Task No_mock_no_comparison()
    {
        var before = MockDriftAnalyzer.Comparisons;
        var diagnostics = await DriftTest.RunAsync(CSharp(Types), mockPy: null, RuntimePy);
        Assert.Empty(diagnostics);
        Assert.Equal(before, MockDriftAnalyzer.Comparisons);
    }
}
