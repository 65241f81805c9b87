// The symbols the drift rules compare against, resolved once per compilation (at compilation
// start) so that the per-type callback only compares references.
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Drift
{
    internal sealed class BindingSymbols
    {
        private BindingSymbols(Compilation compilation, INamedTypeSymbol pyClass)
        {
            PyClass = pyClass;
            PyProperty = compilation.GetTypeByMetadataName("Siphon.Bindings.PyPropertyAttribute");
            PyMethod = compilation.GetTypeByMetadataName("Siphon.Bindings.PyMethodAttribute");
            PyConstructor = compilation.GetTypeByMetadataName("Siphon.Bindings.PyConstructorAttribute");
            PyKeywordOnly = compilation.GetTypeByMetadataName("Siphon.Bindings.PyKeywordOnlyAttribute");
            Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
            TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
            ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
            ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
            CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
            ReadOnlyMemoryOfT = compilation.GetTypeByMetadataName("System.ReadOnlyMemory`1");
            MemoryOfT = compilation.GetTypeByMetadataName("System.Memory`1");
        }

        public INamedTypeSymbol PyClass { get; }
        public INamedTypeSymbol? PyProperty { get; }
        public INamedTypeSymbol? PyMethod { get; }
        public INamedTypeSymbol? PyConstructor { get; }
        public INamedTypeSymbol? PyKeywordOnly { get; }
        public INamedTypeSymbol? Task { get; }
        public INamedTypeSymbol? TaskOfT { get; }
        public INamedTypeSymbol? ValueTask { get; }
        public INamedTypeSymbol? ValueTaskOfT { get; }
        public INamedTypeSymbol? CancellationToken { get; }
        public INamedTypeSymbol? ReadOnlyMemoryOfT { get; }
        public INamedTypeSymbol? MemoryOfT { get; }

        /// <summary>Null when the compilation cannot see <c>Siphon.Bindings.PyClassAttribute</c>: nothing is bound.</summary>
        public static BindingSymbols? TryCreate(Compilation compilation)
        {
            var pyClass = compilation.GetTypeByMetadataName("Siphon.Bindings.PyClassAttribute");
            return pyClass is null ? null : new BindingSymbols(compilation, pyClass);
        }

        public bool IsAsyncType(ITypeSymbol type)
        {
            var definition = type.OriginalDefinition;
            return Is(definition, Task) || Is(definition, TaskOfT) || Is(definition, ValueTask) || Is(definition, ValueTaskOfT);
        }

        public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected) =>
            expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
    }
}
