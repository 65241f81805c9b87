// A property in one of the SDK mock and the runtime, a method in the other.
// See docs/analyzers/SIPH0005.md.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Siphon.Analyzers.Drift;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0005: A property in one of the SDK mock and the runtime, a method in the other.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PropertyMethodMismatchAnalyzer : MockDriftAnalyzer
    {
        private protected override DiagnosticDescriptor Rule => DiagnosticDescriptors.PropertyMethodMismatch;
    }
}
