// A property in one of the SDK mock and the runtime, a method in the other.
// See docs/analyzers/SIPH0005.md.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0005: A property in one of the SDK mock and the runtime, a method in the other.</summary>
    internal static class PropertyMethodMismatchRule
    {
        public static readonly DiagnosticDescriptor Descriptor = new DiagnosticDescriptor(
            RuleIdentifiers.PropertyMethodMismatch,
            title: "Property in one of the SDK mock and the runtime, method in the other",
            messageFormat: "{0}: the SDK mock ({1}) has a {2} but the runtime has a {3}",
            DiagnosticDescriptors.Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "A member is a property on one side and a method on the other; a script that calls it, or does not, breaks on one of them.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.PropertyMethodMismatch),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
