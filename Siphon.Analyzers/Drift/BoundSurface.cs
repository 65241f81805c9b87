// The runtime side of the comparison: a [PyClass] type of the compared module as the binding
// generator itself sees it. BoundSurface runs the generator's own parser (Surface/, linked into
// this project) and only adds the C# locations to report at, so the names, async-ness, hidden
// CancellationTokens, keyword-only parameters and default spellings compared here are the ones the
// generator emits — there is no second copy of those rules to drift.
using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Python;
using Siphon.Bindings.Generator;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Analyzers.Drift
{
    internal enum BoundMemberKind
    {
        Property,
        Method,
        Constructor,
    }

    /// <param name="Parameters">The Python parameters, without <c>self</c>.</param>
    internal sealed record BoundMember(string PyName, BoundMemberKind Kind, bool IsAsync, IReadOnlyList<PyParameter> Parameters, Location Location)
    {
        public string Describe() => Kind switch
        {
            BoundMemberKind.Property => "a property",
            BoundMemberKind.Constructor => "a constructor",
            _ => IsAsync ? "an async method" : "a method",
        };
    }

    /// <param name="Location">The name of the declaration that carries [PyClass].</param>
    /// <param name="Constructor">The [PyConstructor], as <c>__init__</c>; null when Python cannot construct the type.</param>
    internal sealed record BoundClass(string PyName, string CSharpName, Location Location, BoundMember? Constructor, IReadOnlyList<BoundMember> Members);

    internal static class BoundSurface
    {
        /// <summary>The bound class for <paramref name="type"/>, or null when it is not a [PyClass] of
        /// <paramref name="module"/> or the generator cannot bind it (its SIPH1xxx errors say why).</summary>
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
            var spec = SurfaceParser.Parse(type, cancellationToken).Type;
            if (spec is null || !string.Equals(spec.Module, module, StringComparison.Ordinal)) return null;
            return FromSpec(spec, type, ClassLocation(type, pyClass));
        }

        /// <summary>The generator's model with the locations of the members it came from.</summary>
        internal static BoundClass FromSpec(TypeSpec spec, INamedTypeSymbol type, Location location)
        {
            var members = new List<BoundMember>();
            foreach (var p in spec.Properties)
                members.Add(new BoundMember(p.PyName, BoundMemberKind.Property, IsAsync: false, Array.Empty<PyParameter>(),
                    LocationOf(type, p.CsName, MethodKind.PropertyGet)));
            foreach (var m in spec.Methods)
                members.Add(new BoundMember(m.PyName, BoundMemberKind.Method, m.Async != AsyncKind.None, Parameters(m.Parameters),
                    LocationOf(type, m.CsName, MethodKind.Ordinary)));
            var constructor = spec.Constructor is { } c
                ? new BoundMember("__init__", BoundMemberKind.Constructor, IsAsync: false, Parameters(c.Parameters), LocationOf(type, ".ctor", MethodKind.Constructor))
                : null;
            return new BoundClass(spec.PyName, type.ToDisplayString(), location, constructor, members);
        }

        private static IReadOnlyList<PyParameter> Parameters(EquatableArray<ParameterSpec> parameters)
        {
            var result = new List<PyParameter>(parameters.Count);
            foreach (var p in parameters)
                result.Add(new PyParameter(p.PyName, p.IsKeywordOnly ? PyParameterKind.KeywordOnly : PyParameterKind.PositionalOrKeyword,
                    p.IsOptional ? p.PyDefault : null));
            return result;
        }

        /// <summary>The first member of that name (overloads report at the first; the mock has one def anyway).</summary>
        private static Location LocationOf(INamedTypeSymbol type, string csName, MethodKind kind)
        {
            foreach (var member in type.GetMembers(csName))
                if (member is IPropertySymbol || member is IMethodSymbol method && method.MethodKind == kind)
                    if (SurfaceParser.FirstSourceLocation(member) is { } location) return location;
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
            return SurfaceParser.FirstSourceLocation(type) ?? Location.None;
        }
    }
}
