// Parameter names, order, kinds or defaults differ between the SDK mock and the runtime.
// See docs/analyzers/SIPH0003.md.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0003: Parameter names, order, kinds or defaults differ between the SDK mock and the runtime.</summary>
    internal static class ParameterMismatchRule
    {
        public static readonly DiagnosticDescriptor Descriptor = new DiagnosticDescriptor(
            RuleIdentifiers.ParameterMismatch,
            title: "Parameters differ between the SDK mock and the runtime",
            messageFormat: "{0}: the SDK mock ({1}) takes {2} but the runtime takes {3}",
            DiagnosticDescriptors.Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "Parameter names, order, kinds (positional-or-keyword, keyword-only, ...) or defaults differ between the SDK mock and the runtime.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.ParameterMismatch),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
