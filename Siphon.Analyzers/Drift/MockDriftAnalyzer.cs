// The shared shape of the five drift rules. Per compilation: resolve the binding attribute
// symbols and read the Python files once (compilation start; nothing is registered when the
// compilation has no PyClassAttribute or no SDK mock is an additional file), collect the
// [PyClass] types of each compared module as the symbol callbacks see them (concurrently, into a
// thread-safe bag per module), and compare at compilation end, when every type has been seen. Each rule's
// analyzer reports only the findings of its own descriptor.
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Siphon.Analyzers.Drift
{
    public abstract class MockDriftAnalyzer : DiagnosticAnalyzer
    {
        private protected abstract DiagnosticDescriptor Rule { get; }

        public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(OnCompilationStart);
        }

        private void OnCompilationStart(CompilationStartAnalysisContext context)
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

            var rule = Rule;
            context.RegisterCompilationEndAction(endContext =>
            {
                for (var i = 0; i < modules.Count; i++)
                    foreach (var finding in DriftComparer.Compare(bound[i], modules[i]))
                        if (finding.Rule == rule) endContext.ReportDiagnostic(finding.ToDiagnostic());
            });
        }
    }
}
