using System.Reflection;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Tests.Support;

namespace Siphon.Analyzers.Tests;

/// <summary>Each descriptor has a docs page at its help link, the index lists it, and the table stays consistent.</summary>
public class DocsTests
{
    public static TheoryData<string> Ids() => [.. Descriptors().Select(d => d.Id)];

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_descriptor_has_its_docs_page_at_its_help_link(string id)
    {
        var descriptor = Descriptors().Single(d => d.Id == id);
        Assert.Equal($"docs/analyzers/{id}.md", descriptor.HelpLinkUri);
        var page = Repo.PathOf(descriptor.HelpLinkUri);
        Assert.True(File.Exists(page), $"{descriptor.HelpLinkUri} is missing");
        Assert.StartsWith($"# {id}: ", File.ReadAllText(page), StringComparison.Ordinal);
        Assert.Contains($"[{id}]({id}.md)", Repo.Read("docs/analyzers/README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_has_five_distinct_error_rules_and_every_analyzer_reports_one()
    {
        var descriptors = Descriptors().ToList();
        Assert.Equal(["SIPH0001", "SIPH0002", "SIPH0003", "SIPH0004", "SIPH0005"], descriptors.Select(d => d.Id).Order());
        Assert.All(descriptors, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.Equal("Siphon.Drift", d.Category);
            Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, d.CustomTags);
        });
        var reported = DriftTest.Analyzers.Select(a => Assert.Single(a.SupportedDiagnostics).Id).ToList();
        Assert.Equal(descriptors.Select(d => d.Id).Order(), reported.Order());
    }
}
