// Defined in the SDK mock, missing in the runtime: a public mock class, member or function with no runtime counterpart.
// See docs/analyzers/SIPH0002.md.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Siphon.Analyzers.Drift;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0002: Defined in the SDK mock, missing in the runtime: a public mock class, member or function with no runtime counterpart.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MissingInRuntimeAnalyzer : MockDriftAnalyzer
    {
        private protected override DiagnosticDescriptor Rule => DiagnosticDescriptors.MissingInRuntime;
    }
}
