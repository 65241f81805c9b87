// The [PyClass] attribute type, resolved once per compilation (at compilation start) so that the
// per-type callback only compares references. Everything else about a bound type is read by the
// generator's own parser (BoundSurface).
using Microsoft.CodeAnalysis;

namespace Siphon.Analyzers.Drift
{
    internal sealed class BindingSymbols
    {
        private BindingSymbols(INamedTypeSymbol pyClass) => PyClass = pyClass;

        public INamedTypeSymbol PyClass { get; }

        /// <summary>Null when the compilation cannot see <c>Siphon.Bindings.PyClassAttribute</c>: nothing is bound.</summary>
        public static BindingSymbols? TryCreate(Compilation compilation)
        {
            var pyClass = compilation.GetTypeByMetadataName("Siphon.Bindings.PyClassAttribute");
            return pyClass is null ? null : new BindingSymbols(pyClass);
        }

        public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected) =>
            expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
    }
}
