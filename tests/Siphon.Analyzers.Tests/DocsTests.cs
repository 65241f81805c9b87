using System.Reflection;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Tests.Support;

namespace Siphon.Analyzers.Tests;

/// <summary>Each descriptor has a docs page at its help link, the index lists it, and the table stays consistent.</summary>
public class DocsTests
{
    public static TheoryData<string> Ids() => [.. Descriptors().Select(d => d.Id)];

    /// <summary>Every rule's descriptor, found by reflection over the rule files (one static class a
    /// rule under Siphon.Analyzers.Rules), not from the table the analyzer reports from.</summary>
    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).Assembly.GetTypes()
            .Where(t => t.Namespace == "Siphon.Analyzers.Rules")
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
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
    public void There_are_five_distinct_error_rules_and_the_drift_analyzer_reports_each()
    {
        var descriptors = Descriptors().ToList();
        Assert.Equal(["SIPH0001", "SIPH0002", "SIPH0003", "SIPH0004", "SIPH0005"], descriptors.Select(d => d.Id).Order());
        Assert.All(descriptors, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.Equal("Siphon.Drift", d.Category);
            Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, d.CustomTags);
        });
        var analyzer = Assert.Single(DriftTest.Analyzers);
        Assert.Equal(descriptors.Select(d => d.Id).Order(), analyzer.SupportedDiagnostics.Select(d => d.Id).Order());
    }
}
