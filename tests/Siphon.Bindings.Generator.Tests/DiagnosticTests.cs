// Each bad fixture is named after the one SIPH1xxx id it must produce, on the line marked with
// a `// SIPH1xxx` comment. The fixtures are valid C# on their own, so any error is the generator's.
using Microsoft.CodeAnalysis;

namespace Siphon.Bindings.Generator.Tests;

public class DiagnosticTests
{
    public static TheoryData<string> BadFixtures => new(TestHelpers.Fixtures("Bad"));

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public void Bad_fixture_reports_exactly_its_id_at_the_marked_line(string fixture)
    {
        var id = fixture.Split('_')[0];
        var lines = TestHelpers.FixtureText("Bad", fixture).Split('\n');
        var marked = Array.FindIndex(lines, l => l.TrimEnd().EndsWith("// " + id, StringComparison.Ordinal));
        Assert.True(marked >= 0, $"{fixture} has no line marked // {id}");

        var compilation = TestHelpers.FixtureCompilation("Bad", fixture);
        var (result, output) = TestHelpers.Run(compilation);

        Assert.All(result.Results, r => Assert.Null(r.Exception));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal($"Bad/{fixture}.cs", span.Path);
        Assert.Equal(marked, span.StartLinePosition.Line);

        // Whatever glue is still emitted for the rest of the type compiles.
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, TestHelpers.Describe(errors));
    }

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public void Bad_fixture_is_valid_csharp_without_the_generator(string fixture)
    {
        var errors = TestHelpers.FixtureCompilation("Bad", fixture).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, TestHelpers.Describe(errors));
    }

    [Fact]
    public void Every_descriptor_is_a_SIPH1xxx_error_with_a_bad_fixture()
    {
        var fixtureIds = TestHelpers.Fixtures("Bad").Select(f => f.Split('_')[0]).ToHashSet();
        var descriptors = BindingGenerator.AllDescriptors.ToList();
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        Assert.All(descriptors, d =>
        {
            Assert.Matches("^SIPH1[0-9]{3}$", d.Id);
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.Contains(d.Id, fixtureIds);
        });
        Assert.Equal(fixtureIds.Order(), descriptors.Select(d => d.Id).Order());
    }

    [Fact]
    public void Descriptor_ids_match_their_named_constants()
    {
        var constants = typeof(DiagnosticIds).GetFields().Select(f => (string)f.GetValue(null)!).Order().ToList();
        Assert.Equal(constants, BindingGenerator.AllDescriptors.Select(d => d.Id).Order().ToList());
    }

    public static TheoryData<string> Ids() => [.. BindingGenerator.AllDescriptors.Select(d => d.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_descriptor_has_its_docs_page_at_its_help_link(string id)
    {
        var descriptor = BindingGenerator.AllDescriptors.Single(d => d.Id == id);
        Assert.Equal($"docs/generator/{id}.md", descriptor.HelpLinkUri);
        var root = RepositoryRoot();
        var page = Path.Combine(root, descriptor.HelpLinkUri);
        Assert.True(File.Exists(page), $"{descriptor.HelpLinkUri} is missing");
        var text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: {descriptor.Title}\n", text, StringComparison.Ordinal);
        Assert.Contains($"[{id}]({id}.md)", File.ReadAllText(Path.Combine(root, "docs/generator/README.md")), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Siphon.sln"))) return dir.FullName;
        throw new InvalidOperationException("Siphon.sln not found above " + AppContext.BaseDirectory);
    }
}
