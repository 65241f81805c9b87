// def in one of the SDK mock and the runtime, async def in the other.
// See docs/analyzers/SIPH0004.md.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Rules
{
    /// <summary>SIPH0004: def in one of the SDK mock and the runtime, async def in the other.</summary>
    internal static class AsyncMismatchRule
    {
        public static readonly DiagnosticDescriptor Descriptor = new DiagnosticDescriptor(
            RuleIdentifiers.AsyncMismatch,
            title: "Sync in one of the SDK mock and the runtime, async in the other",
            messageFormat: "{0}: the SDK mock ({1}) declares '{2}' but the runtime's is '{3}'",
            DiagnosticDescriptors.Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "A member is a coroutine ('async def') on one side and a plain function on the other; a script that awaits it, or does not, breaks on one of them.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.AsyncMismatch),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
