// Exported by the runtime, missing in the SDK mock: a [PyClass] type or member, or a function or class of the runtime's siphon/http.py.
// See docs/analyzers/SIPH0001.md.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0001: Exported by the runtime, missing in the SDK mock: a [PyClass] type or member, or a function or class of the runtime's siphon/http.py.</summary>
    internal static class MissingInMockRule
    {
        public static readonly DiagnosticDescriptor Descriptor = new DiagnosticDescriptor(
            RuleIdentifiers.MissingInMock,
            title: "Exported by the runtime but missing in the SDK mock",
            messageFormat: "{0}: exported by the runtime ({1}) but missing in the SDK mock ({2})",
            DiagnosticDescriptors.Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "The runtime exports a class, member or function that the SDK mock (siphon_sdk/http.py) does not define, so a script tested against the mock cannot use it.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.MissingInMock),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
