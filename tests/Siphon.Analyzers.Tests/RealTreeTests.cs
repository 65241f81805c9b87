using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Tests.Support;

namespace Siphon.Analyzers.Tests;

/// <summary>The rules over the repository's real Siphon.Runtime sources, runtime siphon/http.py and
/// siphon/cache.py, and the SDK mocks of both.</summary>
public class RealTreeTests
{
    private const string MockRelative = "sdk/src/siphon_sdk/http.py";
    private const string RuntimePyRelative = "Siphon.Runtime/python/siphon/http.py";
    private const string MockLogRelative = "sdk/src/siphon_sdk/log.py";
    private const string RuntimeLogRelative = "Siphon.Runtime/python/siphon/log.py";
    private const string CacheMockRelative = "sdk/src/siphon_sdk/cache.py";
    private const string CacheRuntimePyRelative = "Siphon.Runtime/python/siphon/cache.py";

    private static readonly Lazy<Compilation> s_runtime = new(CompileRuntime);

    /// <summary>Every Siphon.Runtime/**/*.cs and Siphon.Bindings/**/*.cs (the binding runtime the host's glue calls;
    /// obj and bin excluded) as one compilation with the implicit usings, against the
    /// .NET and ASP.NET Core reference assemblies (the generated glue is not run here; the rules read attributes). YamlDotNet is not referenced, so the config loader
    /// has errors; the files that declare the bound types must have none (checked below).</summary>
    private static Compilation CompileRuntime()
    {
        var sources = new[] { Repo.PathOf("Siphon.Runtime"), Repo.PathOf("Siphon.Bindings") }
            .SelectMany(root => Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(p => !IsUnder(root, p, "obj") && !IsUnder(root, p, "bin")))
            .Select(p => (p, File.ReadAllText(p)))
            .Append(("/generated/GlobalUsings.cs", DriftTest.Usings));
        // The ASP.NET Core reference pack of the dotnet install running this test (shared/Microsoft.NETCore.App/<v>/ → root).
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var aspnet = Directory.GetDirectories(Path.Combine(dotnetRoot, "packs", "Microsoft.AspNetCore.App.Ref"))
            .Select(d => (Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(), Dir: Path.Combine(d, "ref", "net10.0")))
            .Where(x => Directory.Exists(x.Dir))
            .OrderBy(x => x.Version)
            .Last().Dir;
        var references = Basic.Reference.Assemblies.Net100.References.All
            .Concat(Directory.EnumerateFiles(aspnet, "*.dll").Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        return DriftTest.Compile(sources, references);
    }

    private static bool IsUnder(string root, string path, string folder) =>
        Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Contains(folder);

    private static Task<ImmutableArray<Diagnostic>> RunAsync(string mockText, string? mockLogText = null, string? cacheMockText = null) =>
        DriftTest.RunAsync(s_runtime.Value,
        [
            new InMemoryAdditionalText(Repo.PathOf(MockRelative), mockText),
            new InMemoryAdditionalText(Repo.PathOf(RuntimePyRelative), Repo.Read(RuntimePyRelative)),
            new InMemoryAdditionalText(Repo.PathOf(MockLogRelative), mockLogText ?? Repo.Read(MockLogRelative)),
            new InMemoryAdditionalText(Repo.PathOf(RuntimeLogRelative), Repo.Read(RuntimeLogRelative)),
            new InMemoryAdditionalText(Repo.PathOf(CacheMockRelative), cacheMockText ?? Repo.Read(CacheMockRelative)),
            new InMemoryAdditionalText(Repo.PathOf(CacheRuntimePyRelative), Repo.Read(CacheRuntimePyRelative)),
        ]);

    [Fact]
    public async Task Dropping_warn_from_the_real_mock_log_is_SIPH0001_on_the_runtime_log_warn()
    {
        var mockLog = Drop(Repo.Read(MockLogRelative), "def warn(msg: str)", "\n\n\n");
        var d = Assert.Single(await RunAsync(Repo.Read(MockRelative), mockLog));
        Assert.Equal(RuleIdentifiers.MissingInMock, d.Id);
        Assert.StartsWith("warn: exported by the runtime (a function, python/siphon/log.py:", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_bound_types_compile_without_errors()
    {
        var errors = s_runtime.Value.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Where(d => d.Location.SourceTree?.FilePath is { } path
                && (path.Contains($"{Path.DirectorySeparatorChar}Http{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    || path.Contains($"{Path.DirectorySeparatorChar}Bindings{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            .ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        foreach (var name in new[] { "Request", "Response", "Client" })
            Assert.NotNull(s_runtime.Value.GetTypeByMetadataName("Siphon.Runtime.Http." + name));
    }

    [Fact]
    public async Task Silent_on_the_real_tree()
    {
        var diagnostics = await RunAsync(Repo.Read(MockRelative));
        Assert.True(diagnostics.IsEmpty, "drift in the real tree:\n" + string.Join("\n", diagnostics));
    }

    // @http.middleware takes guards (req) and wrappers (req, call_next) through the one fn parameter on
    // both sides; a mock that grew its own way of registering wrappers would be drift.
    [Fact]
    public async Task A_real_mock_middleware_with_another_parameter_list_is_SIPH0003_at_the_runtime_middleware()
    {
        var mock = Repo.Read(MockRelative);
        Assert.Contains("def middleware(fn: _F) -> _F:", mock);
        var changed = mock.Replace("def middleware(fn: _F) -> _F:", "def middleware(fn: _F, wraps: bool = False) -> _F:");

        var d = Assert.Single(await RunAsync(changed));
        Assert.Equal(RuleIdentifiers.ParameterMismatch, d.Id);
        Assert.Contains("middleware", d.GetMessage());
        Assert.Contains($"siphon_sdk/http.py:{Fixture.LineOf(changed, "def middleware(fn: _F, wraps: bool = False) -> _F:")}", d.GetMessage());
        Assert.Equal((Repo.PathOf(RuntimePyRelative), Fixture.LineOf(Repo.Read(RuntimePyRelative), "def middleware(fn):")),
            (d.Location.GetLineSpan().Path, d.Location.GetLineSpan().StartLinePosition.Line + 1));
    }

    [Fact]
    public async Task Dropping_raise_for_status_from_the_real_mock_is_SIPH0001_on_Response_RaiseForStatus()
    {
        var dropped = Drop(Repo.Read(MockRelative), "    def raise_for_status(self)", "\n\n");

        var d = Assert.Single(await RunAsync(dropped));
        Assert.Equal(RuleIdentifiers.MissingInMock, d.Id);
        var classLine = Fixture.LineOf(dropped, "class MockResponse");
        Assert.Equal($"Response.raise_for_status: exported by the runtime (a method) but missing in the SDK mock (class MockResponse, siphon_sdk/http.py:{classLine})", d.GetMessage());

        var span = d.Location.GetLineSpan();
        var responseCs = Repo.Read("Siphon.Runtime/Http/Response.cs");
        Assert.Equal(Repo.PathOf("Siphon.Runtime/Http/Response.cs"), span.Path);
        Assert.Equal(Fixture.LineOf(responseCs, "public Response RaiseForStatus()"), span.StartLinePosition.Line + 1);
        Assert.Equal("RaiseForStatus", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public async Task The_cache_module_is_compared_too_dropping_list_len_from_the_mock_is_SIPH0001_on_CacheNamespace_ListLen()
    {
        var dropped = Drop(Repo.Read(CacheMockRelative), "    async def list_len(self, name: str, key: str) -> int | None:", "\n\n");
        var d = Assert.Single(await RunAsync(Repo.Read(MockRelative), cacheMockText: dropped));
        Assert.Equal(RuleIdentifiers.MissingInMock, d.Id);
        var classLine = Fixture.LineOf(dropped, "class MockCacheNamespace");
        Assert.Equal($"CacheNamespace.list_len: exported by the runtime (an async method) but missing in the SDK mock (class MockCacheNamespace, siphon_sdk/cache.py:{classLine})", d.GetMessage());
        var cs = Repo.Read("Siphon.Runtime/Cache/CacheNamespace.cs");
        Assert.Equal(Fixture.LineOf(cs, "public Task<long?> ListLen("), d.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public async Task Removing_CacheError_from_the_cache_mock_is_SIPH0001_at_the_runtime_class()
    {
        var mock = Repo.Read(CacheMockRelative).Replace("class CacheError(Exception):", "class _CacheError(Exception):", StringComparison.Ordinal);
        var d = Assert.Single(await RunAsync(Repo.Read(MockRelative), cacheMockText: mock));
        Assert.Equal(RuleIdentifiers.MissingInMock, d.Id);
        Assert.StartsWith("CacheError: exported by the runtime (a class, python/siphon/cache.py:", d.GetMessage());
        Assert.EndsWith("no class CacheError or MockCacheError in siphon_sdk/cache.py)", d.GetMessage());
    }

    /// <summary>The text without the definition that starts at <paramref name="start"/>, up to <paramref name="end"/>.</summary>
    private static string Drop(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from > 0, $"'{start}' not found in the real tree");
        return text.Remove(from, text.IndexOf(end, from, StringComparison.Ordinal) - from);
    }
}
