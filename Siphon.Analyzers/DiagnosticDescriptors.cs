// The one descriptor table of the drift rules. Every rule is an error in category Siphon.Drift
// (drift fails the build of Siphon.Runtime) and is reported at the end of the compilation, once
// both sides are known, hence the CompilationEnd tag.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers
{
    internal static class DiagnosticDescriptors
    {
        public const string Category = "Siphon.Drift";

        public static readonly DiagnosticDescriptor MissingInMock = new DiagnosticDescriptor(
            RuleIdentifiers.MissingInMock,
            title: "Exported by the runtime but missing in the SDK mock",
            messageFormat: "{0}: exported by the runtime ({1}) but missing in the SDK mock ({2})",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "The runtime exports a class, member or function that the SDK mock (siphon_sdk/http.py) does not define, so a script tested against the mock cannot use it.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.MissingInMock),
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor MissingInRuntime = new DiagnosticDescriptor(
            RuleIdentifiers.MissingInRuntime,
            title: "Defined in the SDK mock but missing in the runtime",
            messageFormat: "{0}: defined in the SDK mock ({1}) but missing in the runtime ({2})",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "The SDK mock defines a public class, member or function that the runtime does not export, so a script that passes its tests against the mock fails when it runs.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.MissingInRuntime),
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor ParameterMismatch = new DiagnosticDescriptor(
            RuleIdentifiers.ParameterMismatch,
            title: "Parameters differ between the SDK mock and the runtime",
            messageFormat: "{0}: the SDK mock ({1}) takes {2} but the runtime takes {3}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "Parameter names, order, kinds (positional-or-keyword, keyword-only, ...) or defaults differ between the SDK mock and the runtime.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.ParameterMismatch),
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor AsyncMismatch = new DiagnosticDescriptor(
            RuleIdentifiers.AsyncMismatch,
            title: "Sync in one of the SDK mock and the runtime, async in the other",
            messageFormat: "{0}: the SDK mock ({1}) declares '{2}' but the runtime's is '{3}'",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "A member is a coroutine ('async def') on one side and a plain function on the other; a script that awaits it, or does not, breaks on one of them.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.AsyncMismatch),
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor PropertyMethodMismatch = new DiagnosticDescriptor(
            RuleIdentifiers.PropertyMethodMismatch,
            title: "Property in one of the SDK mock and the runtime, method in the other",
            messageFormat: "{0}: the SDK mock ({1}) has a {2} but the runtime has a {3}",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            description: "A member is a property on one side and a method on the other; a script that calls it, or does not, breaks on one of them.",
            helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.PropertyMethodMismatch),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
