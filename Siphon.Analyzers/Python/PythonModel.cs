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
    /// <param name="Default">The default as normalised by <see cref="PyLiteral.Normalize"/>, or null.</param>
    internal sealed record PyParameter(string Name, PyParameterKind Kind, string? Default)
    {
        public override string ToString() => Default is null ? Name : Name + "=" + Default;
    }

    /// <summary>A <c>def</c> or <c>async def</c>, with the decorators written above it.</summary>
    /// <param name="Line">1-based line of the <c>def</c> keyword (not of its decorators).</param>
    /// <param name="Decorators">Decorator expressions without the <c>@</c>, in source order.</param>
    /// <param name="Parameters">Every parameter as written, <c>self</c> included.</param>
    internal sealed record PyFunction(string Name, int Line, bool IsAsync, IReadOnlyList<string> Decorators, IReadOnlyList<PyParameter> Parameters)
    {
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
    /// <param name="Members">Defs at the class body's own indentation, in source order (nested ones excluded).</param>
    internal sealed record PyClassDef(string Name, int Line, IReadOnlyList<PyFunction> Members);

    /// <summary>The top-level classes and functions of one file.</summary>
    internal sealed record PyModule(IReadOnlyList<PyClassDef> Classes, IReadOnlyList<PyFunction> Functions);
}
