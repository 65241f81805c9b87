using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>When nothing drifts, nothing is reported; when the SDK mock is not an input, nothing is compared.</summary>
public class MatchingSurfaceTests
{
    [Fact]
    public async Task Silent_on_a_matching_pair()
    {
        var diagnostics = await DriftTest.RunAsync(CSharp(Types), Mock, RuntimePy);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void The_fixture_is_compiled_without_errors()
    {
        // Guards every other test here: a C# side that does not compile would not bind what it seems to.
        var compilation = DriftTest.Compile(
            [(DriftTest.SourcePath, CSharp(Types)), ("/a.cs", DriftTest.Attributes), ("/u.cs", DriftTest.Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }

    [Fact]
    public async Task Reports_nothing_without_the_sdk_mock()
    {
        var drifted = Replace(CSharp(Types), "[PyMethod] public Response RaiseForStatus()", "[PyMethod] public Response RaiseForStatus(bool strict = false)");
        Assert.NotEmpty(await DriftTest.RunAsync(drifted, Mock, RuntimePy)); // the drift is real ...
        Assert.Empty(await DriftTest.RunAsync(drifted, mockPy: null, RuntimePy)); // ... but without the mock nothing is said
    }

    [Fact]
    public async Task Without_the_runtime_python_file_its_functions_and_classes_are_not_compared()
    {
        var mock = Replace(Mock, "def middleware(fn):", "def on_startup(fn):");
        Assert.Equal(2, (await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy)).Length);
        Assert.Empty(await DriftTest.RunAsync(CSharp(Types), mock, runtimePy: null));
    }

    [Fact]
    public async Task The_file_suffixes_can_be_configured()
    {
        var drifted = Replace(CSharp(Types), "[PyProperty] public int Status { get; }", "[PyProperty] public int Status { get; }\n    [PyProperty] public int Extra { get; }");
        var options = new Dictionary<string, string> { ["siphon_drift.sdk_mock_suffix"] = "mocks/fake_http.py" };

        Assert.Single(await DriftTest.RunAsync(drifted, Mock, RuntimePy)); // found under the default suffix
        Assert.Empty(await DriftTest.RunAsync(drifted, Mock, RuntimePy, options)); // not under another one

        var compilation = DriftTest.Compile(
            [(DriftTest.SourcePath, drifted), ("/a.cs", DriftTest.Attributes), ("/u.cs", DriftTest.Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        var diagnostics = await DriftTest.RunAsync(compilation,
            [new InMemoryAdditionalText("/x/mocks/fake_http.py", Mock), new InMemoryAdditionalText(DriftTest.RuntimePyPath, RuntimePy)], options);
        var d = Assert.Single(diagnostics);
        Assert.Equal(RuleIdentifiers.MissingInMock, d.Id);
        Assert.Contains("(class MockResponse, mocks/fake_http.py:", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suffix_matches_whole_path_segments_only()
    {
        var drifted = Replace(CSharp(Types), "[PyMethod] public Response RaiseForStatus()", "[PyMethod] public Response RaiseForStatus(bool strict = false)");
        var compilation = DriftTest.Compile(
            [(DriftTest.SourcePath, drifted), ("/a.cs", DriftTest.Attributes), ("/u.cs", DriftTest.Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        Assert.Empty(await DriftTest.RunAsync(compilation, [new InMemoryAdditionalText("/x/not_siphon_sdk/http.py", Mock)]));
        Assert.Single(await DriftTest.RunAsync(compilation, [new InMemoryAdditionalText(@"C:\x\siphon_sdk\http.py", Mock)]));
    }
}
