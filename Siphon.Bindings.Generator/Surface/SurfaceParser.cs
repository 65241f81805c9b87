// What the Python surface of a [PyClass] type is: one symbol → a TypeSpec (strings, bools, ints,
// enums, equatable arrays) plus DiagnosticInfos. Symbols are read here and never kept. The one home
// of these rules: compiled into the generator (which emits glue and stubs from the model) and into
// the analyzer (which compares the same model with the SDK mock), so the two cannot disagree.
using Siphon.Bindings;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator
{
    internal static partial class SurfaceParser
    {
        /// <summary>The most parameters a bound method or constructor may have (the required-argument mask is 64 bits).</summary>
        public const int MaxParameters = 64;

        private const string AttributeNamespace = "Siphon.Bindings";

        private static readonly SymbolDisplayFormat s_csTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Turns one [PyClass] type into its model and diagnostics. Reads symbols, keeps none.</summary>
        internal static ParseResult Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var classAttribute = FindAttribute(type, "PyClassAttribute");

            if (!IsPartial(type, cancellationToken)) diagnostics.Add(Diag(DiagnosticIds.TypeNotPartial, type, type.Name));
            if (type.ContainingType is { } outer) diagnostics.Add(Diag(DiagnosticIds.TypeNested, type, type.Name, outer.Name));
            if (type.TypeParameters.Length > 0) diagnostics.Add(Diag(DiagnosticIds.TypeGeneric, type, type.Name));
            if (type.IsStatic) diagnostics.Add(Diag(DiagnosticIds.TypeStatic, type, type.Name));

            var (pyName, module) = ClassNames(classAttribute, type);
            if (!PyNames.IsPythonIdentifier(pyName))
                diagnostics.Add(Diag(DiagnosticIds.InvalidPythonName, type, pyName, "class", ""));
            if (!module.Split('.').All(PyNames.IsPythonIdentifier))
                diagnostics.Add(Diag(DiagnosticIds.InvalidPythonName, type, module, "module", ", or a dotted path of such"));
            if (diagnostics.Count > 0) return new ParseResult(null, diagnostics.ToEquatableArray());

            var properties = new List<PropertySpec>();
            var methods = new List<MethodSpec>();
            ConstructorSpec? constructor = null;
            var pyNames = new Dictionary<string, string>(StringComparer.Ordinal);
            var thunkNames = new HashSet<string>(StringComparer.Ordinal);

            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (member)
                {
                    case IPropertySymbol property when FindAttribute(property, "PyPropertyAttribute") is { } attribute:
                        if (ParseProperty(property, attribute, diagnostics, cancellationToken) is { } p && Claim(pyNames, p.PyName, property, diagnostics))
                            properties.Add(p);
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when FindAttribute(method, "PyMethodAttribute") is { } attribute:
                        if (ParseMethod(method, attribute, thunkNames, diagnostics, cancellationToken) is { } m && Claim(pyNames, m.PyName, method, diagnostics))
                            methods.Add(m);
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } ctor when FindAttribute(ctor, "PyConstructorAttribute") is not null:
                        if (constructor is not null)
                        {
                            diagnostics.Add(Diag(DiagnosticIds.MultipleConstructors, ctor, type.Name));
                            break;
                        }
                        var c = ParseConstructor(ctor, diagnostics, cancellationToken);
                        if (c is not null) constructor = c;
                        break;
                }
            }

            var spec = new TypeSpec(
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
                type.Name,
                type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                type.IsRecord,
                pyName,
                module,
                XmlDocSummary.Of(type, cancellationToken),
                properties.ToEquatableArray(),
                methods.ToEquatableArray(),
                constructor);
            return new ParseResult(spec, diagnostics.ToEquatableArray());
        }

        private static (string Name, string Module) ClassNames(AttributeData? attribute, INamedTypeSymbol type)
        {
            var name = attribute is { ConstructorArguments.Length: > 0 } && attribute.ConstructorArguments[0].Value is string n ? n : type.Name;
            var module = "siphon";
            if (attribute is not null)
                foreach (var named in attribute.NamedArguments)
                    if (named.Key == "Module" && named.Value.Value is string m) module = m;
            return (name, module);
        }

        private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    return false;
            return type.DeclaringSyntaxReferences.Length > 0;
        }

        /// <summary>Records the Python name of a member; reports a clash with an earlier one.</summary>
        private static bool Claim(Dictionary<string, string> names, string pyName, ISymbol member, List<DiagnosticInfo> diagnostics)
        {
            if (names.TryGetValue(pyName, out var owner))
            {
                diagnostics.Add(Diag(DiagnosticIds.DuplicatePythonName, member, member.Name, pyName, owner));
                return false;
            }
            names.Add(pyName, member.Name);
            return true;
        }

        private static PropertySpec? ParseProperty(IPropertySymbol property, AttributeData attribute,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var count = diagnostics.Count;
            if (property.IsStatic) diagnostics.Add(Diag(DiagnosticIds.StaticMember, property, property.Name));
            if (property.IsIndexer || property.GetMethod is null)
                diagnostics.Add(Diag(DiagnosticIds.PropertyNotReadable, property, property.Name));
            var cached = IsCached(attribute);
            if (cached && property.SetMethod is { IsInitOnly: false })
                diagnostics.Add(Diag(DiagnosticIds.CachedPropertyWithSetter, property, property.Name));
            var pyName = GivenName(attribute) ?? PyNames.ToSnakeCase(property.Name);
            if (!PyNames.IsPythonIdentifier(pyName)) diagnostics.Add(Diag(DiagnosticIds.InvalidPythonName, property, pyName, "property", ""));
            var type = MapType(property.Type, isParameter: false, TypeHintOf(property.GetAttributes()));
            if (type is null)
                diagnostics.Add(Diag(DiagnosticIds.UnsupportedResultType, property, property.Name, Display(property.Type)));
            if (diagnostics.Count > count || type is null) return null;
            return new PropertySpec(property.Name, pyName, type, XmlDocSummary.Of(property, cancellationToken), cached);
        }

        private static MethodSpec? ParseMethod(IMethodSymbol method, AttributeData attribute, HashSet<string> thunkNames,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var count = diagnostics.Count;
            if (method.IsStatic) diagnostics.Add(Diag(DiagnosticIds.StaticMember, method, method.Name));
            if (method.IsGenericMethod) diagnostics.Add(Diag(DiagnosticIds.GenericMethod, method, method.Name));
            var pyName = GivenName(attribute) ?? PyNames.ToSnakeCase(method.Name);
            if (!PyNames.IsPythonIdentifier(pyName)) diagnostics.Add(Diag(DiagnosticIds.InvalidPythonName, method, pyName, "method", ""));

            var (asyncKind, result) = MapResult(method);
            if (result is null)
                diagnostics.Add(Diag(DiagnosticIds.UnsupportedResultType, method, method.Name, Display(method.ReturnType)));

            var parameters = ParseParameters(method, asyncKind != AsyncKind.None, diagnostics, out var takesCancellation, out var takesSelf);
            if (diagnostics.Count > count || result is null) return null;

            var suffix = method.Name;
            for (var i = 2; !thunkNames.Add(suffix); i++) suffix = method.Name + "_" + i.ToString(CultureInfo.InvariantCulture);
            return new MethodSpec(method.Name, pyName, suffix, XmlDocSummary.Of(method, cancellationToken), parameters,
                result, asyncKind, takesCancellation, takesSelf);
        }

        private static ConstructorSpec? ParseConstructor(IMethodSymbol ctor, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var count = diagnostics.Count;
            if (ctor.IsStatic) diagnostics.Add(Diag(DiagnosticIds.StaticMember, ctor, ctor.ContainingType.Name));
            var parameters = ParseParameters(ctor, isAsync: false, diagnostics, out _, out var takesSelf);
            if (takesSelf) diagnostics.Add(Diag(DiagnosticIds.UnsupportedParameterType, ctor.Parameters[0], ctor.Parameters[0].Name, ctor.ContainingType.Name, "[PySelf] on a constructor"));
            if (diagnostics.Count > count) return null;
            return new ConstructorSpec(parameters, XmlDocSummary.Of(ctor, cancellationToken));
        }

        private static EquatableArray<ParameterSpec> ParseParameters(IMethodSymbol method, bool isAsync,
            List<DiagnosticInfo> diagnostics, out bool takesCancellation, out bool takesSelf)
        {
            takesCancellation = false;
            takesSelf = false;
            var owner = method.MethodKind == MethodKind.Ordinary ? method.Name : method.ContainingType.Name;
            var result = new List<ParameterSpec>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var keywordOnly = false;
            for (var i = 0; i < method.Parameters.Length; i++)
            {
                var p = method.Parameters[i];
                if (IsType(p.Type, "System.Threading", "CancellationToken"))
                {
                    if (isAsync && i == method.Parameters.Length - 1 && p.RefKind == RefKind.None) takesCancellation = true;
                    else diagnostics.Add(Diag(DiagnosticIds.MisplacedCancellationToken, p, p.Name, owner));
                    continue;
                }
                if (i == 0 && p.RefKind == RefKind.None && FindAttribute(p, "PySelfAttribute") is not null
                    && IsType(p.Type, "Siphon.Runtime.Python", "PyBorrowed"))
                {
                    takesSelf = true; // the thunk passes the Python object; not part of the signature
                    continue;
                }
                keywordOnly |= FindAttribute(p, "PyKeywordOnlyAttribute") is not null;
                var ok = true;
                if (p.RefKind != RefKind.None)
                {
                    diagnostics.Add(Diag(DiagnosticIds.ByRefParameter, p, p.Name, owner, RefKindText(p.RefKind)));
                    ok = false;
                }
                if (p.IsParams)
                {
                    diagnostics.Add(Diag(DiagnosticIds.ParamsParameter, p, p.Name, owner));
                    ok = false;
                }
                var pyName = PyNames.ToSnakeCase(p.Name);
                if (!PyNames.IsPythonIdentifier(pyName) || pyName == "self")
                {
                    diagnostics.Add(Diag(DiagnosticIds.InvalidPythonName, p, pyName, "parameter", " or 'self'"));
                    ok = false;
                }
                else if (!names.Add(pyName))
                {
                    diagnostics.Add(Diag(DiagnosticIds.DuplicatePythonName, p, p.Name, pyName, "another parameter of " + owner));
                    ok = false;
                }
                var type = MapType(p.Type, isParameter: true, TypeHintOf(p.GetAttributes()));
                if (type is null)
                {
                    if (ok) diagnostics.Add(Diag(DiagnosticIds.UnsupportedParameterType, p, p.Name, owner, Display(p.Type)));
                    continue;
                }
                if (!ok) continue;
                string? csDefault = null, pyDefault = null;
                if (p.IsOptional) (csDefault, pyDefault) = Defaults(p, type);
                result.Add(new ParameterSpec(p.Name, pyName, type, p.IsOptional, csDefault, pyDefault, keywordOnly));
            }
            if (result.Count > MaxParameters)
                diagnostics.Add(Diag(DiagnosticIds.TooManyParameters, method, owner, result.Count.ToString(CultureInfo.InvariantCulture)));
            return result.ToEquatableArray();
        }

        private static string RefKindText(RefKind kind) => kind switch
        {
            RefKind.Out => "out",
            RefKind.In => "in",
            RefKind.RefReadOnlyParameter => "ref readonly",
            _ => "ref",
        };

        private static (AsyncKind, ValueSpec?) MapResult(IMethodSymbol method)
        {
            var hint = TypeHintOf(method.GetReturnTypeAttributes());
            if (method.ReturnsVoid) return (AsyncKind.None, hint is null ? ValueSpec.Void : ValueSpec.Void with { TypeHint = hint });
            if (method.ReturnsByRef || method.ReturnsByRefReadonly) return (AsyncKind.None, null);
            var type = method.ReturnType;
            if (type is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
            {
                var kind = (named.Name, named.TypeArguments.Length) switch
                {
                    ("Task", 0) => AsyncKind.Task,
                    ("Task", 1) => AsyncKind.TaskOfT,
                    ("ValueTask", 0) => AsyncKind.ValueTask,
                    ("ValueTask", 1) => AsyncKind.ValueTaskOfT,
                    _ => AsyncKind.None,
                };
                if (kind is AsyncKind.Task or AsyncKind.ValueTask)
                    return (kind, hint is null ? ValueSpec.Void : ValueSpec.Void with { TypeHint = hint });
                if (kind is AsyncKind.TaskOfT or AsyncKind.ValueTaskOfT)
                    return (kind, MapType(named.TypeArguments[0], isParameter: false, hint));
            }
            return (AsyncKind.None, MapType(type, isParameter: false, hint));
        }

        /// <summary>The model of a supported type, or null when it has no conversion.</summary>
        private static ValueSpec? MapType(ITypeSymbol type, bool isParameter, string? hint)
        {
            var csType = type.ToDisplayString(s_csTypeFormat);
            var nullable = false;
            var core = type;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
            {
                nullable = true;
                core = n.TypeArguments[0];
            }
            else if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
            {
                nullable = true;
            }

            ValueKind? kind = core.SpecialType switch
            {
                SpecialType.System_String => ValueKind.String,
                SpecialType.System_Int64 => ValueKind.Int64,
                SpecialType.System_Int32 => ValueKind.Int32,
                SpecialType.System_Boolean => ValueKind.Boolean,
                SpecialType.System_Double => ValueKind.Double,
                SpecialType.System_Object when !isParameter => ValueKind.Any,
                _ => null,
            };
            if (kind is null)
            {
                if (core is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte }) kind = ValueKind.Bytes;
                else if (IsGeneric(core, "System", "ReadOnlyMemory", 1, out var a) && a[0].SpecialType == SpecialType.System_Byte) kind = ValueKind.Memory;
                else if (IsGeneric(core, "System.Collections.Generic", "IReadOnlyDictionary", 2, out a) && IsPlainString(a[0]) && IsPlainString(a[1])) kind = ValueKind.Dictionary;
                else if (IsGeneric(core, "System.Collections.Generic", "IReadOnlyList", 1, out a) && IsPlainString(a[0])) kind = ValueKind.StringList;
                else if (!nullable && IsType(core, "Siphon.Runtime.Python", isParameter ? "PyBorrowed" : "PyOwned")) kind = ValueKind.Object;
                else if (core is INamedTypeSymbol { TypeKind: TypeKind.Class, IsGenericType: false } bound
                    && FindAttribute(bound, "PyClassAttribute") is { } boundAttribute)
                {
                    var (boundName, boundModule) = ClassNames(boundAttribute, bound);
                    return new ValueSpec(ValueKind.Bound, nullable, csType, boundName, boundModule, hint);
                }
            }
            if (kind is null) return null;
            return new ValueSpec(kind.Value, nullable, csType, null, null, hint);
        }

        private static bool IsPlainString(ITypeSymbol t) =>
            t.SpecialType == SpecialType.System_String && t.NullableAnnotation != NullableAnnotation.Annotated;

        private static bool IsType(ITypeSymbol type, string ns, string name) =>
            type is INamedTypeSymbol { Arity: 0 } named && named.Name == name && named.ContainingType is null
            && named.ContainingNamespace?.ToDisplayString() == ns;

        private static bool IsGeneric(ITypeSymbol type, string ns, string name, int arity, out IReadOnlyList<ITypeSymbol> arguments)
        {
            if (type is INamedTypeSymbol named && named.Arity == arity && named.Name == name && named.ContainingType is null
                && named.ContainingNamespace?.ToDisplayString() == ns)
            {
                arguments = named.TypeArguments;
                return true;
            }
            arguments = Array.Empty<ITypeSymbol>();
            return false;
        }

        private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier));

        private static AttributeData? FindAttribute(ISymbol symbol, string name) => FindAttribute(symbol.GetAttributes(), name);

        private static AttributeData? FindAttribute(IEnumerable<AttributeData> attributes, string name)
        {
            foreach (var a in attributes)
                if (a.AttributeClass is { } c && c.Name == name && c.ContainingNamespace?.ToDisplayString() == AttributeNamespace)
                    return a;
            return null;
        }

        private static string? GivenName(AttributeData attribute) =>
            attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is string { Length: > 0 } s ? s : null;

        private static bool IsCached(AttributeData attribute)
        {
            foreach (var named in attribute.NamedArguments)
                if (named.Key == "Cached" && named.Value.Value is bool b) return b;
            return false;
        }

        private static string? TypeHintOf(IEnumerable<AttributeData> attributes) =>
            FindAttribute(attributes, "PyTypeHintAttribute") is { ConstructorArguments.Length: > 0 } a && a.ConstructorArguments[0].Value is string s ? s : null;

        private static DiagnosticInfo Diag(string id, ISymbol at, params string[] args) =>
            new(id, LocationInfo.From(FirstSourceLocation(at)), new EquatableArray<string>(args));

        internal static Location? FirstSourceLocation(ISymbol symbol)
        {
            foreach (var l in symbol.Locations)
                if (l.IsInSource) return l;
            return null;
        }
    }
}
