using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Siphon.Analyzers.Drift;

namespace Siphon.Analyzers.Tests.Support;

/// <summary>Runs every drift rule over C# sources and the two Python files, as the build does.</summary>
internal static class DriftTest
{
    public const string MockPath = "/repo/sdk/src/siphon_sdk/http.py";
    public const string RuntimePyPath = "/repo/Siphon.Runtime/python/siphon/http.py";
    public const string SourcePath = "/repo/Siphon.Runtime/Http/Test.cs";

    /// <summary>The real Siphon.Bindings/BindingAttributes.cs (the attributes the rules read).</summary>
    public static readonly string Attributes = Repo.Read("Siphon.Bindings/BindingAttributes.cs");

    public const string Usings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    /// <summary>What the build of Siphon.Runtime runs: the one drift analyzer, reporting all five rules.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = [new MockDriftAnalyzer()];

    /// <summary>Compiles <paramref name="csharp"/> with the attribute copy and returns the drift diagnostics, in location order.</summary>
    public static Task<ImmutableArray<Diagnostic>> RunAsync(string csharp, string? mockPy, string? runtimePy = null,
        IReadOnlyDictionary<string, string>? globalOptions = null)
    {
        var compilation = Compile([(SourcePath, csharp), ("/repo/Attributes.cs", Attributes), ("/repo/Usings.cs", Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        var files = new List<AdditionalText>();
        if (mockPy is not null) files.Add(new InMemoryAdditionalText(MockPath, mockPy));
        if (runtimePy is not null) files.Add(new InMemoryAdditionalText(RuntimePyPath, runtimePy));
        return RunAsync(compilation, files, globalOptions);
    }

    public static CSharpCompilation Compile(IEnumerable<(string Path, string Text)> sources, IEnumerable<MetadataReference> references)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path));
        var compilation = CSharpCompilation.Create("Drift", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true));
        return compilation;
    }

    public static async Task<ImmutableArray<Diagnostic>> RunAsync(Compilation compilation, IEnumerable<AdditionalText> files,
        IReadOnlyDictionary<string, string>? globalOptions = null)
    {
        var options = globalOptions is null
            ? new AnalyzerOptions([.. files])
            : new AnalyzerOptions([.. files], new GlobalOptionsProvider(globalOptions));
        var diagnostics = await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id)];
    }

    /// <summary>Asserts the diagnostics sit exactly on the <c>[|spans|]</c> of the C# markup, with these ids and messages.</summary>
    public static async Task VerifyAsync(string csharpMarkup, string mockPy, string? runtimePy, params (string Id, string Message)[] expected)
    {
        var (source, spans) = Markup.Parse(csharpMarkup);
        var diagnostics = await RunAsync(source, mockPy, runtimePy);
        Assert.True(spans.Count == expected.Length, $"markup has {spans.Count} spans but {expected.Length} diagnostics are expected");
        Assert.True(diagnostics.Length == expected.Length,
            $"expected {expected.Length} diagnostics, got {diagnostics.Length}:\n" + string.Join("\n", diagnostics));
        for (var i = 0; i < expected.Length; i++)
        {
            var d = diagnostics[i];
            Assert.Equal(SourcePath, d.Location.SourceTree?.FilePath);
            Assert.Equal(spans[i], d.Location.SourceSpan);
            Assert.Equal(expected[i].Id, d.Id);
            Assert.Equal(expected[i].Message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        }
    }
}
