using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Drift;
using Siphon.Analyzers.Tests.Support;

namespace Siphon.Analyzers.Tests;

/// <summary>The analyzer reads a [PyClass] type's Python surface through the generator's own parser
/// (Siphon.Bindings.Generator/Surface/, linked into the analyzer). Before that, the analyzer kept a
/// copy of the rules that disagreed with the generator on three points; the surface here is written
/// out by hand so that the test keeps meaning something now that both sides share the code.</summary>
public class SharedSurfaceTests
{
    private const string Source = """
        using Siphon.Bindings;

        namespace Siphon.Runtime.Http;

        [PyClass("Greeter", Module = "siphon.http")]
        public sealed partial class Greeter
        {
            // 1. A non-ASCII default: the generator writes "caf\u00e9 \U0001f600" in the stub; the
            //    analyzer's copy kept the characters as they are (and the generator spelled the emoji
            //    as two lone surrogates, "\ud83d\ude00", which Python reads as two code points).
            [PyMethod] public string Greet(string name = "café 😀") => name;

            // 2. An empty given name: the generator falls back to the snake_case name, `title`; the
            //    analyzer's copy used "" as the name.
            [PyProperty("")] public string Title => "";

            // 3. A CancellationToken on a method that is not async: the generator refuses it (SIPH1015)
            //    and binds no `wait`; the analyzer's copy hid the token and compared `wait(self, seconds)`.
            [PyMethod] public string Wait(long seconds, CancellationToken cancel) => "";

            // For contrast, the token the generator does hide: the last parameter of an async method.
            [PyMethod] public Task<string> Fetch(string path, CancellationToken cancel = default) => Task.FromResult(path);
        }
        """;

    [Fact]
    public void The_analyzer_sees_the_surface_the_generator_binds()
    {
        Assert.Equal(
            """
            class Greeter
              property title
              method greet(name="caf\u00e9 \U0001f600")
              async method fetch(path)
            """.ReplaceLineEndings("\n"),
            Describe(Read("Siphon.Runtime.Http.Greeter")));
    }

    [Fact]
    public async Task A_mock_written_like_the_generated_stub_has_no_drift()
    {
        // The mock spells the default with the characters themselves: both sides normalise to one spelling.
        var mock = """
            class MockGreeter:
                def greet(self, name="café 😀"):
                    return name

                @property
                def title(self):
                    return ""

                async def fetch(self, path):
                    return path
            """;
        var diagnostics = await DriftTest.RunAsync(Source, mock, runtimePy: "");
        Assert.Empty(diagnostics);
    }

    private static BoundClass Read(string typeName)
    {
        var compilation = DriftTest.Compile(
            [(DriftTest.SourcePath, Source), ("/repo/Attributes.cs", DriftTest.Attributes), ("/repo/Usings.cs", DriftTest.Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        var type = compilation.GetTypeByMetadataName(typeName)!;
        var symbols = BindingSymbols.TryCreate(compilation)!;
        return BoundSurface.Read(type, symbols, "siphon.http", CancellationToken.None)!;
    }

    private static string Describe(BoundClass bound)
    {
        var lines = new List<string> { "class " + bound.PyName };
        foreach (var m in bound.Members)
        {
            var kind = m.Kind == BoundMemberKind.Property ? "property" : m.IsAsync ? "async method" : "method";
            lines.Add(m.Kind == BoundMemberKind.Property
                ? $"  {kind} {m.PyName}"
                : $"  {kind} {m.PyName}({string.Join(", ", m.Parameters)})");
        }
        return string.Join("\n", lines);
    }
}
