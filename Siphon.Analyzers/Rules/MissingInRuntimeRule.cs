// Defined in the SDK mock, missing in the runtime: a public mock class, member or function with no runtime counterpart.
// See docs/analyzers/SIPH0002.md.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0002: Defined in the SDK mock, missing in the runtime: a public mock class, member or function with no runtime counterpart.</summary>
    internal static class MissingInRuntimeRule
    {
        public static readonly DiagnosticDescriptor Descriptor = new DiagnosticDescriptor(
            RuleIdentifiers.MissingInRuntime,
            title: "Defined in the SDK mock but missing in the runtime",
            messageFormat: "{0}: defined in the SDK mock ({1}) but missing in the runtime ({2})",
            DiagnosticDescriptors.Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "The SDK mock defines a public class, member or function that the runtime does not export, so a script that passes its tests against the mock fails when it runs.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.MissingInRuntime),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
