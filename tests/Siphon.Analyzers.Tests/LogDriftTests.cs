using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>The log namespace: the functions of the runtime's siphon/log.py and the SDK's siphon_sdk/log.py
/// are held to each other as the decorators of siphon/http.py are (e.g. siphon-http's log.warn).</summary>
public class LogDriftTests
{
    private const string RuntimeLogPath = "/repo/Siphon.Runtime/python/siphon/log.py";
    private const string MockLogPath = "/repo/sdk/src/siphon_sdk/log.py";

    private const string RuntimeLog = """
        from siphon._native import log as _log


        def info(msg: str) -> None:
            _log((1, str(msg)))


        def warn(msg: str) -> None:
            _log((2, str(msg)))


        def warning(msg: str) -> None:
            _log((2, str(msg)))
        """;

    private static Task<System.Collections.Immutable.ImmutableArray<Diagnostic>> RunAsync(string runtimeLog, string mockLog)
    {
        var compilation = DriftTest.Compile([(DriftTest.SourcePath, CSharp(Types)), ("/repo/Attributes.cs", DriftTest.Attributes), ("/repo/Usings.cs", DriftTest.Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        return DriftTest.RunAsync(compilation,
        [
            new InMemoryAdditionalText(DriftTest.MockPath, Mock),
            new InMemoryAdditionalText(DriftTest.RuntimePyPath, RuntimePy),
            new InMemoryAdditionalText(RuntimeLogPath, runtimeLog),
            new InMemoryAdditionalText(MockLogPath, mockLog),
        ]);
    }

    [Fact]
    public async Task Matching_log_modules_report_nothing()
    {
        Assert.Empty(await RunAsync(RuntimeLog, Replace(RuntimeLog, "from siphon._native import log as _log", "")));
    }

    [Fact]
    public async Task A_log_function_missing_in_the_mock_is_SIPH0001_at_the_runtime_line()
    {
        var mock = Replace(RuntimeLog, "def warn(msg: str) -> None:\n    _log((2, str(msg)))\n", "");
        var d = Assert.Single(await RunAsync(RuntimeLog, mock));
        Assert.Equal(RuleIdentifiers.MissingInMock, d.Id);
        Assert.Equal(RuntimeLogPath, d.Location.GetLineSpan().Path);
        Assert.Equal($"warn: exported by the runtime (a function, python/siphon/log.py:{LineOf(RuntimeLog, "def warn")}) but missing in the SDK mock (no function warn in siphon_sdk/log.py)", d.GetMessage());
    }

    [Fact]
    public async Task A_mock_only_log_function_is_SIPH0002_and_a_different_signature_SIPH0003()
    {
        var mock = RuntimeLog + "\n\ndef critical(msg: str) -> None:\n    pass\n";
        mock = Replace(mock, "def info(msg: str) -> None:", "def info(message: str) -> None:");
        var found = await RunAsync(RuntimeLog, mock);
        Assert.Equal(2, found.Length);
        Assert.Contains(found, d => d.Id == RuleIdentifiers.MissingInRuntime && d.GetMessage().StartsWith("critical:", StringComparison.Ordinal)
            && d.GetMessage().Contains("python/siphon/log.py", StringComparison.Ordinal));
        Assert.Contains(found, d => d.Id == RuleIdentifiers.ParameterMismatch && d.GetMessage().StartsWith("info:", StringComparison.Ordinal));
    }
}
