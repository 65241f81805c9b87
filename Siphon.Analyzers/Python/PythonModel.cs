// What PythonReader gets out of a Python source file: its top-level classes (with the defs in
// each class body) and its top-level functions, each with a 1-based line and a parameter list
// whose defaults are normalised literals. Nothing here is a Python AST; it is the part of one
// that the drift rules compare.
using System.Collections.Generic;

namespace Siphon.Analyzers.Python
{
    /// <summary>How a parameter binds, as in <c>inspect.Parameter.kind</c>.</summary>
    internal enum PyParameterKind
    {
        PositionalOnly,
        PositionalOrKeyword,
        VarPositional,
        KeywordOnly,
        VarKeyword,
    }

    /// <summary>One parameter: its name, kind and (normalised) default, or null when it has none.</summary>
    internal sealed class PyParameter
    {
        public PyParameter(string name, PyParameterKind kind, string? defaultValue)
        {
            Name = name;
            Kind = kind;
            Default = defaultValue;
        }

        public string Name { get; }
        public PyParameterKind Kind { get; }

        /// <summary>The default as normalised by <see cref="PyLiteral.Normalize"/>, or null.</summary>
        public string? Default { get; }

        public override string ToString() => Default is null ? Name : Name + "=" + Default;
    }

    /// <summary>A <c>def</c> or <c>async def</c>, with the decorators written above it.</summary>
    internal sealed class PyFunction
    {
        public PyFunction(string name, int line, bool isAsync, IReadOnlyList<string> decorators, IReadOnlyList<PyParameter> parameters)
        {
            Name = name;
            Line = line;
            IsAsync = isAsync;
            Decorators = decorators;
            Parameters = parameters;
        }

        public string Name { get; }

        /// <summary>1-based line of the <c>def</c> keyword (not of its decorators).</summary>
        public int Line { get; }

        public bool IsAsync { get; }

        /// <summary>Decorator expressions without the <c>@</c>, in source order.</summary>
        public IReadOnlyList<string> Decorators { get; }

        /// <summary>Every parameter as written, <c>self</c> included.</summary>
        public IReadOnlyList<PyParameter> Parameters { get; }

        public bool IsProperty => HasDecorator("property") || HasDecorator("functools.cached_property") || HasDecorator("cached_property");
        public bool IsStaticMethod => HasDecorator("staticmethod");
        public bool IsClassMethod => HasDecorator("classmethod");
        public bool IsOverload => HasDecorator("overload") || HasDecorator("typing.overload");

        /// <summary>A <c>@x.setter</c>/<c>.getter</c>/<c>.deleter</c> def adds to an existing property.</summary>
        public bool IsPropertyAccessor
        {
            get
            {
                foreach (var d in Decorators)
                    if (d.EndsWith(".setter", System.StringComparison.Ordinal) || d.EndsWith(".getter", System.StringComparison.Ordinal)
                        || d.EndsWith(".deleter", System.StringComparison.Ordinal))
                        return true;
                return false;
            }
        }

        private bool HasDecorator(string name)
        {
            foreach (var d in Decorators)
                if (d == name) return true;
            return false;
        }
    }

    /// <summary>A top-level <c>class</c> and the defs directly in its body.</summary>
    internal sealed class PyClassDef
    {
        public PyClassDef(string name, int line, IReadOnlyList<PyFunction> members)
        {
            Name = name;
            Line = line;
            Members = members;
        }

        public string Name { get; }
        public int Line { get; }

        /// <summary>Defs at the class body's own indentation, in source order (nested ones excluded).</summary>
        public IReadOnlyList<PyFunction> Members { get; }
    }

    /// <summary>The top-level classes and functions of one file.</summary>
    internal sealed class PyModule
    {
        public PyModule(IReadOnlyList<PyClassDef> classes, IReadOnlyList<PyFunction> functions)
        {
            Classes = classes;
            Functions = functions;
        }

        public IReadOnlyList<PyClassDef> Classes { get; }
        public IReadOnlyList<PyFunction> Functions { get; }
    }
}
