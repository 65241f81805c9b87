// The runtime side of the comparison, read from the compilation's symbols: a [PyClass] type in
// the compared module and its [PyProperty]/[PyMethod]/[PyConstructor] members, each with its
// Python name, kind, parameter list (in Python terms) and the C# location to report at. The
// rules the binding generator applies are mirrored here: snake_case names unless given, Task-like
// results make `async def`, a trailing CancellationToken is hidden, [PyKeywordOnly] starts the
// keyword-only parameters, C# default values are the Python defaults.
using Siphon.Bindings;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Python;

namespace Siphon.Analyzers.Drift
{
    internal enum BoundMemberKind
    {
        Property,
        Method,
        Constructor,
    }

    internal sealed class BoundMember
    {
        public BoundMember(string pyName, BoundMemberKind kind, bool isAsync, bool isStatic, IReadOnlyList<PyParameter> parameters, Location location)
        {
            PyName = pyName;
            Kind = kind;
            IsAsync = isAsync;
            IsStatic = isStatic;
            Parameters = parameters;
            Location = location;
        }

        public string PyName { get; }
        public BoundMemberKind Kind { get; }
        public bool IsAsync { get; }
        public bool IsStatic { get; }

        /// <summary>The Python parameters, without <c>self</c>.</summary>
        public IReadOnlyList<PyParameter> Parameters { get; }

        public Location Location { get; }

        public string Describe() => Kind switch
        {
            BoundMemberKind.Property => "a property",
            BoundMemberKind.Constructor => "a constructor",
            _ => IsAsync ? "an async method" : "a method",
        };
    }

    internal sealed class BoundClass
    {
        public BoundClass(string pyName, string csharpName, Location location, BoundMember? constructor, IReadOnlyList<BoundMember> members)
        {
            PyName = pyName;
            CSharpName = csharpName;
            Location = location;
            Constructor = constructor;
            Members = members;
        }

        public string PyName { get; }
        public string CSharpName { get; }

        /// <summary>The name of the declaration that carries [PyClass].</summary>
        public Location Location { get; }

        /// <summary>The [PyConstructor], as <c>__init__</c>; null when Python cannot construct the type.</summary>
        public BoundMember? Constructor { get; }

        public IReadOnlyList<BoundMember> Members { get; }
    }

    internal static class BoundSurface
    {
        /// <summary>The default of PyClassAttribute.Module (a property initializer, not visible in metadata).</summary>
        private const string DefaultModule = "siphon";

        /// <summary>The bound class for <paramref name="type"/>, or null when it is not a [PyClass] of <paramref name="module"/>.</summary>
        public static BoundClass? Read(INamedTypeSymbol type, BindingSymbols symbols, string module, CancellationToken cancellationToken)
        {
            AttributeData? pyClass = null;
            foreach (var attribute in type.GetAttributes())
                if (BindingSymbols.Is(attribute.AttributeClass, symbols.PyClass))
                {
                    pyClass = attribute;
                    break;
                }
            if (pyClass is null) return null;

            var name = pyClass.ConstructorArguments.Length > 0 ? pyClass.ConstructorArguments[0].Value as string : null;
            var pyModule = DefaultModule;
            foreach (var named in pyClass.NamedArguments)
                if (named.Key == "Module" && named.Value.Value is string m) pyModule = m;
            if (name is null || !string.Equals(pyModule, module, StringComparison.Ordinal)) return null;

            BoundMember? constructor = null;
            var members = new List<BoundMember>();
            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (member)
                {
                    case IPropertySymbol property when Find(property, symbols.PyProperty) is { } attribute:
                        members.Add(new BoundMember(GivenName(attribute) ?? PyNames.ToSnakeCase(property.Name), BoundMemberKind.Property,
                            isAsync: false, property.IsStatic, Array.Empty<PyParameter>(), LocationOf(property)));
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when Find(method, symbols.PyMethod) is { } attribute:
                        members.Add(new BoundMember(GivenName(attribute) ?? PyNames.ToSnakeCase(method.Name), BoundMemberKind.Method,
                            symbols.IsAsyncType(method.ReturnType), method.IsStatic, Parameters(method, symbols), LocationOf(method)));
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Constructor } ctor when constructor is null && Find(ctor, symbols.PyConstructor) is not null:
                        constructor = new BoundMember("__init__", BoundMemberKind.Constructor, isAsync: false, isStatic: false,
                            Parameters(ctor, symbols), LocationOf(ctor));
                        break;
                }
            }
            return new BoundClass(name, type.ToDisplayString(), ClassLocation(type, pyClass), constructor, members);
        }


        private static IReadOnlyList<PyParameter> Parameters(IMethodSymbol method, BindingSymbols symbols)
        {
            var parameters = method.Parameters;
            var count = parameters.Length;
            if (count > 0 && BindingSymbols.Is(parameters[count - 1].Type, symbols.CancellationToken)) count--; // hidden from Python

            var result = new List<PyParameter>(count);
            var keywordOnly = false;
            for (var i = 0; i < count; i++)
            {
                var p = parameters[i];
                keywordOnly |= Find(p, symbols.PyKeywordOnly) is not null;
                var kind = keywordOnly ? PyParameterKind.KeywordOnly : PyParameterKind.PositionalOrKeyword;
                result.Add(new PyParameter(PyNames.ToSnakeCase(p.Name), kind, p.IsOptional ? DefaultOf(p, symbols) : null));
            }
            return result;
        }

        /// <summary>The Python spelling of a C# default value, normalised like the mock's (see <see cref="PyLiteral"/>).</summary>
        private static string DefaultOf(IParameterSymbol p, BindingSymbols symbols)
        {
            if (!p.HasExplicitDefaultValue) return PyLiteral.Unknown;
            switch (p.ExplicitDefaultValue)
            {
                case null:
                    // `= null` is None; `= default` of a non-nullable struct is that struct's empty value.
                    if (p.Type.IsReferenceType || p.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T) return "None";
                    var definition = p.Type.OriginalDefinition;
                    if (BindingSymbols.Is(definition, symbols.ReadOnlyMemoryOfT) || BindingSymbols.Is(definition, symbols.MemoryOfT))
                        return "b\"\"";
                    return PyLiteral.Unknown;
                case string s:
                    return PyLiteral.Quote(s);
                case char c:
                    return PyLiteral.Quote(c.ToString());
                case bool b:
                    return b ? "True" : "False";
                case double d:
                    return PyLiteral.Float(d);
                case float f:
                    return PyLiteral.Float(f);
                case IFormattable number:
                    return number.ToString(null, CultureInfo.InvariantCulture);
                default:
                    return PyLiteral.Unknown;
            }
        }

        private static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attributeType)
        {
            if (attributeType is null) return null;
            foreach (var attribute in symbol.GetAttributes())
                if (BindingSymbols.Is(attribute.AttributeClass, attributeType)) return attribute;
            return null;
        }

        private static string? GivenName(AttributeData attribute) =>
            attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;

        private static Location LocationOf(ISymbol symbol)
        {
            foreach (var location in symbol.Locations)
                if (location.IsInSource) return location;
            return Location.None;
        }

        /// <summary>The type's name in the declaration that carries the [PyClass] attribute.</summary>
        private static Location ClassLocation(INamedTypeSymbol type, AttributeData pyClass)
        {
            var tree = pyClass.ApplicationSyntaxReference?.SyntaxTree;
            if (tree is not null)
            {
                var at = pyClass.ApplicationSyntaxReference!.Span.Start;
                Location? best = null;
                foreach (var location in type.Locations)
                    if (location.SourceTree == tree && location.SourceSpan.Start > at && (best is null || location.SourceSpan.Start < best.SourceSpan.Start))
                        best = location;
                if (best is not null) return best;
            }
            return LocationOf(type);
        }
    }
}
