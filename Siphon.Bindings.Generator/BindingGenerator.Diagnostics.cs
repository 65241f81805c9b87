// The SIPH1xxx descriptor table: shapes the generator cannot bind, reported as errors at the
// offending member (or parameter). Ids are named constants; release tracking in AnalyzerReleases.*.md.
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator
{
    /// <summary>The generator's diagnostic ids. SIPH1xxx are shapes the generator cannot bind
    /// (the analyzers project uses SIPH0xxx for drift). Every one is an error at the offending member.</summary>
    public static class DiagnosticIds
    {
        public const string TypeNotPartial = "SIPH1001";
        public const string TypeNested = "SIPH1002";
        public const string TypeGeneric = "SIPH1003";
        public const string TypeStatic = "SIPH1004";
        public const string GenericMethod = "SIPH1005";
        public const string ByRefParameter = "SIPH1006";
        public const string ParamsParameter = "SIPH1007";
        public const string UnsupportedParameterType = "SIPH1008";
        public const string UnsupportedResultType = "SIPH1009";
        public const string TooManyParameters = "SIPH1010";
        public const string DuplicatePythonName = "SIPH1011";
        public const string MultipleConstructors = "SIPH1012";
        public const string StaticMember = "SIPH1013";
        public const string PropertyNotReadable = "SIPH1014";
        public const string MisplacedCancellationToken = "SIPH1015";
        public const string InvalidPythonName = "SIPH1016";
    }

    public sealed partial class BindingGenerator
    {
        private const string Category = "Siphon.Bindings";

        /// <summary>The most parameters a bound method or constructor may have (the required-argument mask is 64 bits).</summary>
        public const int MaxParameters = 64;

        internal static readonly DiagnosticDescriptor TypeNotPartialRule = new(
            DiagnosticIds.TypeNotPartial, "[PyClass] type must be partial",
            "'{0}' must be declared partial: the binding generator adds its Python glue to it",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor TypeNestedRule = new(
            DiagnosticIds.TypeNested, "[PyClass] type must not be nested",
            "'{0}' is nested in '{1}': a [PyClass] type must be a top-level type",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor TypeGenericRule = new(
            DiagnosticIds.TypeGeneric, "[PyClass] type must not be generic",
            "'{0}' is generic: a [PyClass] type must not have type parameters",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor TypeStaticRule = new(
            DiagnosticIds.TypeStatic, "[PyClass] type must not be static",
            "'{0}' is static: Python instances wrap C# instances",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor GenericMethodRule = new(
            DiagnosticIds.GenericMethod, "Generic methods cannot be bound",
            "'{0}' is generic: a [PyMethod] must not have type parameters",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor ByRefParameterRule = new(
            DiagnosticIds.ByRefParameter, "ref, out and in parameters cannot be bound",
            "Parameter '{0}' of '{1}' is passed by reference ({2}): bound parameters are passed by value",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor ParamsParameterRule = new(
            DiagnosticIds.ParamsParameter, "params parameters cannot be bound",
            "Parameter '{0}' of '{1}' is a params parameter: use an IReadOnlyList<string> parameter instead",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor UnsupportedParameterTypeRule = new(
            DiagnosticIds.UnsupportedParameterType, "Unsupported parameter type",
            "Parameter '{0}' of '{1}' has type '{2}', which has no Python conversion (supported: string, long, int, bool, double, byte[], ReadOnlyMemory<byte>, IReadOnlyDictionary<string, string>, IReadOnlyList<string>, PyBorrowed, another [PyClass] type, and their nullable forms)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor UnsupportedResultTypeRule = new(
            DiagnosticIds.UnsupportedResultType, "Unsupported result type",
            "'{0}' returns '{1}', which has no Python conversion (supported: void, string, long, int, bool, double, byte[], ReadOnlyMemory<byte>, IReadOnlyDictionary<string, string>, IReadOnlyList<string>, another [PyClass] type, their nullable forms, and Task/Task<T>/ValueTask/ValueTask<T> of those)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor TooManyParametersRule = new(
            DiagnosticIds.TooManyParameters, "Too many parameters",
            "'{0}' has {1} parameters: at most 64 can be bound",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor DuplicatePythonNameRule = new(
            DiagnosticIds.DuplicatePythonName, "Two members map to the same Python name",
            "'{0}' maps to the Python name '{1}', which '{2}' already uses",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor MultipleConstructorsRule = new(
            DiagnosticIds.MultipleConstructors, "More than one [PyConstructor]",
            "'{0}' has more than one [PyConstructor]: Python gets exactly one __init__",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor StaticMemberRule = new(
            DiagnosticIds.StaticMember, "Static members cannot be bound",
            "'{0}' is static: bound properties, methods and constructors are instance members",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor PropertyNotReadableRule = new(
            DiagnosticIds.PropertyNotReadable, "Property cannot be bound",
            "'{0}' has no getter or is an indexer: a [PyProperty] is a readable, non-indexed property",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor MisplacedCancellationTokenRule = new(
            DiagnosticIds.MisplacedCancellationToken, "CancellationToken parameter must be the last parameter of an async method",
            "Parameter '{0}' of '{1}' is a CancellationToken: only the last parameter of a method returning Task or ValueTask may be one",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        internal static readonly DiagnosticDescriptor InvalidPythonNameRule = new(
            DiagnosticIds.InvalidPythonName, "Not a valid Python name",
            "'{0}' is not usable as a Python {1} name (it must be an ASCII identifier that is not a keyword{2})",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        /// <summary>The one descriptor table, by id.</summary>
        internal static readonly ImmutableDictionary<string, DiagnosticDescriptor> Descriptors = new[]
        {
            TypeNotPartialRule,
            TypeNestedRule,
            TypeGenericRule,
            TypeStaticRule,
            GenericMethodRule,
            ByRefParameterRule,
            ParamsParameterRule,
            UnsupportedParameterTypeRule,
            UnsupportedResultTypeRule,
            TooManyParametersRule,
            DuplicatePythonNameRule,
            MultipleConstructorsRule,
            StaticMemberRule,
            PropertyNotReadableRule,
            MisplacedCancellationTokenRule,
            InvalidPythonNameRule,
        }.ToImmutableDictionary(d => d.Id);

        internal static Diagnostic ToDiagnostic(DiagnosticInfo info) => Diagnostic.Create(
            Descriptors[info.Id],
            info.Location?.ToLocation() ?? Location.None,
            info.MessageArgs.Cast<object>().ToArray());

        private static DiagnosticInfo Diag(string id, ISymbol at, params string[] args) =>
            new(id, LocationInfo.From(FirstSourceLocation(at)), new EquatableArray<string>(args));

        private static Location? FirstSourceLocation(ISymbol symbol)
        {
            foreach (var l in symbol.Locations)
                if (l.IsInSource) return l;
            return null;
        }

        internal static IEnumerable<DiagnosticDescriptor> AllDescriptors => Descriptors.Values.OrderBy(d => d.Id);
    }
}
