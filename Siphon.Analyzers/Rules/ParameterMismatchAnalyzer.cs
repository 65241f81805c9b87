// Parameter names, order, kinds or defaults differ between the SDK mock and the runtime.
// See docs/analyzers/SIPH0003.md.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Siphon.Analyzers.Drift;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0003: Parameter names, order, kinds or defaults differ between the SDK mock and the runtime.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ParameterMismatchAnalyzer : MockDriftAnalyzer
    {
        private protected override DiagnosticDescriptor Rule => DiagnosticDescriptors.ParameterMismatch;
    }
}
