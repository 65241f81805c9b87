// The one analyzer behind the five drift rules (SIPH0001-0005; each rule's descriptor, docs page
// and tests are its own, under Rules/). Per compilation: resolve the binding attribute symbols and
// read the Python files once (compilation start; nothing is registered when the compilation has
// no PyClassAttribute or no SDK mock is an additional file), collect the [PyClass] types of each
// compared module as the symbol callbacks see them (concurrently, into a thread-safe bag per
// module), and compare each module once at compilation end, when every type has been seen,
// reporting every finding under its rule's id.
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Siphon.Analyzers.Drift
{
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MockDriftAnalyzer : DiagnosticAnalyzer
    {
        private static int s_comparisons;

        /// <summary>How many module comparisons have run in this process (tests check that a
        /// compilation costs one per compared module, whatever the number of rules).</summary>
        internal static int Comparisons => Volatile.Read(ref s_comparisons);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(OnCompilationStart);
        }

        private static void OnCompilationStart(CompilationStartAnalysisContext context)
        {
            var symbols = BindingSymbols.TryCreate(context.Compilation);
            if (symbols is null) return;
            var modules = PythonSides.ReadAll(context.Options, context.CancellationToken);
            if (modules.Count == 0) return;

            var bound = new ConcurrentBag<BoundClass>[modules.Count];
            for (var i = 0; i < bound.Length; i++) bound[i] = new ConcurrentBag<BoundClass>();
            context.RegisterSymbolAction(symbolContext =>
            {
                var type = (INamedTypeSymbol)symbolContext.Symbol;
                for (var i = 0; i < modules.Count; i++)
                {
                    var boundClass = BoundSurface.Read(type, symbols, modules[i].Module, symbolContext.CancellationToken);
                    if (boundClass is not null) bound[i].Add(boundClass);
                }
            }, SymbolKind.NamedType);

            context.RegisterCompilationEndAction(endContext =>
            {
                for (var i = 0; i < modules.Count; i++)
                {
                    if (modules[i].IsExtension && bound[i].IsEmpty) continue; // a path that only looks like the module
                    Interlocked.Increment(ref s_comparisons);
                    foreach (var finding in DriftComparer.Compare(bound[i], modules[i]))
                        endContext.ReportDiagnostic(finding.ToDiagnostic());
                }
            });
        }
    }
}
