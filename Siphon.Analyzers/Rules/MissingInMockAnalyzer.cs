// Exported by the runtime, missing in the SDK mock: a [PyClass] type or member, or a function or class of the runtime's siphon/http.py.
// See docs/analyzers/SIPH0001.md.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Siphon.Analyzers.Drift;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0001: Exported by the runtime, missing in the SDK mock: a [PyClass] type or member, or a function or class of the runtime's siphon/http.py.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MissingInMockAnalyzer : MockDriftAnalyzer
    {
        private protected override DiagnosticDescriptor Rule => DiagnosticDescriptors.MissingInMock;
    }
}
