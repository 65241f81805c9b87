// The shared shape of the five drift rules. Per compilation: resolve the binding attribute
// symbols and read the two Python files once (compilation start; nothing is registered when the
// compilation has no PyClassAttribute or the SDK mock is not an additional file), collect the
// [PyClass] types of siphon.http as the symbol callbacks see them (concurrently, into a
// thread-safe bag), and compare at compilation end, when every type has been seen. Each rule's
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
            var sides = PythonSides.TryRead(context.Options, context.CancellationToken);
            if (sides is null) return;

            var bound = new ConcurrentBag<BoundClass>();
            context.RegisterSymbolAction(symbolContext =>
            {
                var type = (INamedTypeSymbol)symbolContext.Symbol;
                var boundClass = BoundSurface.Read(type, symbols, PythonSides.Module, symbolContext.CancellationToken);
                if (boundClass is not null) bound.Add(boundClass);
            }, SymbolKind.NamedType);

            var rule = Rule;
            context.RegisterCompilationEndAction(endContext =>
            {
                foreach (var finding in DriftComparer.Compare(bound, sides))
                    if (finding.Rule == rule) endContext.ReportDiagnostic(finding.ToDiagnostic());
            });
        }
    }
}
