// The SIPH1xxx descriptor table: shapes the generator cannot bind, reported as errors at the
// offending member (or parameter). The ids are in Surface/DiagnosticIds.cs (the parser reports them);
// release tracking in AnalyzerReleases.*.md.
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator
{
    public sealed partial class BindingGenerator
    {
        private const string Category = "Siphon.Bindings";

        /// <summary>Each id's page, relative to the repository root (docs/generator/README.md indexes them).</summary>
        internal static string HelpLink(string id) => "docs/generator/" + id + ".md";

        internal static readonly DiagnosticDescriptor TypeNotPartialRule = new(
            DiagnosticIds.TypeNotPartial, "[PyClass] type must be partial",
            "'{0}' must be declared partial: the binding generator adds its Python glue to it",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.TypeNotPartial));

        internal static readonly DiagnosticDescriptor TypeNestedRule = new(
            DiagnosticIds.TypeNested, "[PyClass] type must not be nested",
            "'{0}' is nested in '{1}': a [PyClass] type must be a top-level type",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.TypeNested));

        internal static readonly DiagnosticDescriptor TypeGenericRule = new(
            DiagnosticIds.TypeGeneric, "[PyClass] type must not be generic",
            "'{0}' is generic: a [PyClass] type must not have type parameters",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.TypeGeneric));

        internal static readonly DiagnosticDescriptor TypeStaticRule = new(
            DiagnosticIds.TypeStatic, "[PyClass] type must not be static",
            "'{0}' is static: Python instances wrap C# instances",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.TypeStatic));

        internal static readonly DiagnosticDescriptor GenericMethodRule = new(
            DiagnosticIds.GenericMethod, "Generic methods cannot be bound",
            "'{0}' is generic: a [PyMethod] must not have type parameters",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.GenericMethod));

        internal static readonly DiagnosticDescriptor ByRefParameterRule = new(
            DiagnosticIds.ByRefParameter, "ref, out and in parameters cannot be bound",
            "Parameter '{0}' of '{1}' is passed by reference ({2}): bound parameters are passed by value",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.ByRefParameter));

        internal static readonly DiagnosticDescriptor ParamsParameterRule = new(
            DiagnosticIds.ParamsParameter, "params parameters cannot be bound",
            "Parameter '{0}' of '{1}' is a params parameter: use an IReadOnlyList<string> parameter instead",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.ParamsParameter));

        internal static readonly DiagnosticDescriptor UnsupportedParameterTypeRule = new(
            DiagnosticIds.UnsupportedParameterType, "Unsupported parameter type",
            "Parameter '{0}' of '{1}' has type '{2}', which has no Python conversion (supported: string, long, int, bool, double, byte[], ReadOnlyMemory<byte>, IReadOnlyDictionary<string, string>, IReadOnlyList<string>, PyBorrowed, another [PyClass] type, and their nullable forms)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.UnsupportedParameterType));

        internal static readonly DiagnosticDescriptor UnsupportedResultTypeRule = new(
            DiagnosticIds.UnsupportedResultType, "Unsupported result type",
            "'{0}' returns '{1}', which has no Python conversion (supported: void, string, long, int, bool, double, byte[], ReadOnlyMemory<byte>, IReadOnlyDictionary<string, string>, IReadOnlyList<string>, another [PyClass] type, their nullable forms, and Task/Task<T>/ValueTask/ValueTask<T> of those)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.UnsupportedResultType));

        internal static readonly DiagnosticDescriptor TooManyParametersRule = new(
            DiagnosticIds.TooManyParameters, "Too many parameters",
            "'{0}' has {1} parameters: at most 64 can be bound",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.TooManyParameters));

        internal static readonly DiagnosticDescriptor DuplicatePythonNameRule = new(
            DiagnosticIds.DuplicatePythonName, "Two members map to the same Python name",
            "'{0}' maps to the Python name '{1}', which '{2}' already uses",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.DuplicatePythonName));

        internal static readonly DiagnosticDescriptor MultipleConstructorsRule = new(
            DiagnosticIds.MultipleConstructors, "More than one [PyConstructor]",
            "'{0}' has more than one [PyConstructor]: Python gets exactly one __init__",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.MultipleConstructors));

        internal static readonly DiagnosticDescriptor StaticMemberRule = new(
            DiagnosticIds.StaticMember, "Static members cannot be bound",
            "'{0}' is static: bound properties, methods and constructors are instance members",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.StaticMember));

        internal static readonly DiagnosticDescriptor PropertyNotReadableRule = new(
            DiagnosticIds.PropertyNotReadable, "Property cannot be bound",
            "'{0}' has no getter or is an indexer: a [PyProperty] is a readable, non-indexed property",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.PropertyNotReadable));

        internal static readonly DiagnosticDescriptor MisplacedCancellationTokenRule = new(
            DiagnosticIds.MisplacedCancellationToken, "CancellationToken parameter must be the last parameter of an async method",
            "Parameter '{0}' of '{1}' is a CancellationToken: only the last parameter of a method returning Task or ValueTask may be one",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.MisplacedCancellationToken));

        internal static readonly DiagnosticDescriptor InvalidPythonNameRule = new(
            DiagnosticIds.InvalidPythonName, "Not a valid Python name",
            "'{0}' is not usable as a Python {1} name (it must be an ASCII identifier that is not a keyword{2})",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.InvalidPythonName));

        internal static readonly DiagnosticDescriptor CachedPropertyWithSetterRule = new(
            DiagnosticIds.CachedPropertyWithSetter, "A cached property must not have a setter",
            "'{0}' is [PyProperty(Cached = true)] but has a setter: a cached value is converted once per Python object, so the property must not change (get or init only)",
            Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(DiagnosticIds.CachedPropertyWithSetter));

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
            CachedPropertyWithSetterRule,
        }.ToImmutableDictionary(d => d.Id);

        internal static Diagnostic ToDiagnostic(DiagnosticInfo info) => Diagnostic.Create(
            Descriptors[info.Id],
            info.Location?.ToLocation() ?? Location.None,
            info.MessageArgs.Cast<object>().ToArray());

        internal static IEnumerable<DiagnosticDescriptor> AllDescriptors => Descriptors.Values.OrderBy(d => d.Id);
    }
}
