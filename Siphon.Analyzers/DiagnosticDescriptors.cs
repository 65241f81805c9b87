// The drift rules' shared facts: every rule is an error in category Siphon.Drift (drift fails the
// build of Siphon.Runtime) and is reported at the end of the compilation, once both sides are
// known, hence the CompilationEnd tag on each descriptor. Each rule's descriptor lives in its own
// file under Rules/, beside its docs page (docs/analyzers/<id>.md) and its tests.
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Rules;

namespace Siphon.Analyzers
{
    internal static class DiagnosticDescriptors
    {
        public const string Category = "Siphon.Drift";

        /// <summary>Every drift rule, reported by the one MockDriftAnalyzer.</summary>
        public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(
            MissingInMockRule.Descriptor,
            MissingInRuntimeRule.Descriptor,
            ParameterMismatchRule.Descriptor,
            AsyncMismatchRule.Descriptor,
            PropertyMethodMismatchRule.Descriptor);
    }
}
