// def in one of the SDK mock and the runtime, async def in the other.
// See docs/analyzers/SIPH0004.md.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Siphon.Analyzers.Drift;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0004: def in one of the SDK mock and the runtime, async def in the other.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AsyncMismatchAnalyzer : MockDriftAnalyzer
    {
        private protected override DiagnosticDescriptor Rule => DiagnosticDescriptors.AsyncMismatch;
    }
}
