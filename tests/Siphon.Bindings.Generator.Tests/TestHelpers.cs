// Fixture loading, compilation and driver plumbing shared by the generator tests.
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Siphon.Bindings.Generator;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator.Tests;

internal static class TestHelpers
{
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.Parse);

    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        allowUnsafe: true,
        nullableContextOptions: NullableContextOptions.Enable);

    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(Siphon.Runtime.Python.PyConvert).Assembly.Location),
    ];

    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static IEnumerable<string> Fixtures(string kind) =>
        Directory.GetFiles(Path.Combine(FixtureDirectory, kind), "*.cs")
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)!;

    public static string FixtureText(string kind, string name) =>
        File.ReadAllText(Path.Combine(FixtureDirectory, kind, name + ".cs"));

    public static SyntaxTree Parse(string text, string path) =>
        CSharpSyntaxTree.ParseText(text, ParseOptions, path);

    public static CSharpCompilation Compile(string name, params SyntaxTree[] trees) =>
        CSharpCompilation.Create(name, trees, References, CompilationOptions);

    public static CSharpCompilation FixtureCompilation(string kind, string name) =>
        Compile(name, Parse(FixtureText(kind, name), $"{kind}/{name}.cs"));

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new BindingGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the run result and the compilation with the output added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The parse step called directly (no driver) on every [PyClass] type of a compilation.</summary>
    public static IReadOnlyList<ParseResult> ParseAll(Compilation compilation)
    {
        var results = new List<ParseResult>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(declaration) is not INamedTypeSymbol symbol) continue;
                if (!symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BindingGenerator.PyClassAttributeName)) continue;
                results.Add(SurfaceParser.Parse(symbol, CancellationToken.None));
            }
        }
        return results;
    }

    /// <summary>Models of every [PyClass] type in the good fixtures, by Python class name.</summary>
    public static IReadOnlyDictionary<string, TypeSpec> GoodModels() =>
        Fixtures("Good")
            .SelectMany(f => ParseAll(FixtureCompilation("Good", f)))
            .Select(r => r.Type ?? throw new InvalidOperationException("a good fixture failed to parse: " + string.Join(", ", r.Diagnostics.Select(d => d.Id))))
            .ToDictionary(t => t.PyName);

    /// <summary>Emits a compilation and loads it into a fresh load context (Siphon.Runtime resolves to the test's copy).</summary>
    public static System.Reflection.Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, Describe(emit.Diagnostics));
        stream.Position = 0;
        return new System.Runtime.Loader.AssemblyLoadContext(compilation.AssemblyName + Guid.NewGuid().ToString("N")).LoadFromStream(stream);
    }

    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => d.ToString()));
}
