namespace Siphon.Bindings.Generator.Model
{
    /// <summary>One [PyClass] type as the emitters see it: names, docs and the bound surface.
    /// Only strings, bools, ints, enums and equatable collections of those, so that an edit that
    /// leaves the surface alone compares equal and nothing downstream runs again.</summary>
    /// <param name="Namespace">The C# namespace, empty for the global namespace.</param>
    /// <param name="ClassName">The C# class name.</param>
    /// <param name="Accessibility">"public" or "internal".</param>
    /// <param name="IsRecord">Declared as <c>record</c> (the generated part must say so too).</param>
    /// <param name="PyName">The Python class name.</param>
    /// <param name="Module">The Python module.</param>
    /// <param name="Doc">The class docstring, from the XML summary.</param>
    /// <param name="Properties">Read-only properties, in declaration order.</param>
    /// <param name="Methods">Methods (async ones included), in declaration order.</param>
    /// <param name="Constructor">The [PyConstructor], or null when Python may not construct it.</param>
    internal sealed record TypeSpec(
        string Namespace,
        string ClassName,
        string Accessibility,
        bool IsRecord,
        string PyName,
        string Module,
        string? Doc,
        EquatableArray<PropertySpec> Properties,
        EquatableArray<MethodSpec> Methods,
        ConstructorSpec? Constructor)
    {
        /// <summary><c>global::Ns.Class</c>.</summary>
        public string FullyQualifiedName => Namespace.Length == 0 ? "global::" + ClassName : "global::" + Namespace + "." + ClassName;

        /// <summary>How many Python references an instance keeps for its cached properties (one each).</summary>
        public int CacheSlotCount
        {
            get
            {
                var n = 0;
                foreach (var p in Properties)
                    if (p.IsCached) n++;
                return n;
            }
        }

        /// <summary>The generated file's name: <c>{Namespace}.{Class}.PyBinding.g.cs</c>.</summary>
        public string HintName => (Namespace.Length == 0 ? "" : Namespace + ".") + ClassName + ".PyBinding.g.cs";
    }

    /// <param name="CsName">The C# property name.</param>
    /// <param name="PyName">The Python name (given, or snake_case of the C# name).</param>
    /// <param name="Type">What the getter returns.</param>
    /// <param name="Doc">The docstring.</param>
    /// <param name="IsCached">[PyProperty(Cached = true)]: converted on the first read and kept in the
    /// Python instance; later reads return the same Python object.</param>
    internal sealed record PropertySpec(string CsName, string PyName, ValueSpec Type, string? Doc, bool IsCached = false);

    /// <param name="CsName">The C# method name.</param>
    /// <param name="PyName">The Python name.</param>
    /// <param name="ThunkSuffix">Distinguishes the thunk names: the C# name, plus an index when overloads share it.</param>
    /// <param name="Doc">The docstring.</param>
    /// <param name="Parameters">The parameters Python sees (a trailing CancellationToken is not among them).</param>
    /// <param name="Result">The result; for async methods the awaited value (Void for Task / ValueTask).</param>
    /// <param name="Async">Whether and how the method is awaitable.</param>
    /// <param name="TakesCancellation">The C# method ends with a CancellationToken the thunk supplies.</param>
    /// <param name="TakesSelf">The C# method's first parameter is [PySelf]: the thunk passes the Python object.</param>
    internal sealed record MethodSpec(
        string CsName,
        string PyName,
        string ThunkSuffix,
        string? Doc,
        EquatableArray<ParameterSpec> Parameters,
        ValueSpec Result,
        AsyncKind Async,
        bool TakesCancellation,
        bool TakesSelf = false)
    {
        public bool IsAsync => Async != AsyncKind.None;
    }

    /// <param name="Parameters">The parameters Python sees.</param>
    /// <param name="Doc">The docstring of <c>__init__</c>.</param>
    internal sealed record ConstructorSpec(EquatableArray<ParameterSpec> Parameters, string? Doc);

    /// <param name="CsName">The C# parameter name (as written, without <c>@</c>).</param>
    /// <param name="PyName">The Python parameter name (snake_case).</param>
    /// <param name="Type">The parameter type.</param>
    /// <param name="IsOptional">Has a default; Python may leave it out.</param>
    /// <param name="CsDefault">The C# expression for the default (when optional).</param>
    /// <param name="PyDefault">The Python expression for the default (when optional), <c>...</c> when it has none.</param>
    /// <param name="IsKeywordOnly">After <c>*</c> in Python.</param>
    internal sealed record ParameterSpec(
        string CsName,
        string PyName,
        ValueSpec Type,
        bool IsOptional,
        string? CsDefault,
        string? PyDefault,
        bool IsKeywordOnly);

    /// <summary>A value crossing the boundary.</summary>
    /// <param name="Kind">Which converter pair applies.</param>
    /// <param name="IsNullable">Nullable reference annotation or Nullable&lt;T&gt;: None is allowed.</param>
    /// <param name="CsType">The C# type, fully qualified, with its nullable annotation.</param>
    /// <param name="BoundPyName">For <see cref="ValueKind.Bound"/>: the other type's Python class name.</param>
    /// <param name="BoundModule">For <see cref="ValueKind.Bound"/>: the other type's Python module.</param>
    /// <param name="TypeHint">A [PyTypeHint] annotation that replaces the computed one.</param>
    internal sealed record ValueSpec(
        ValueKind Kind,
        bool IsNullable,
        string CsType,
        string? BoundPyName = null,
        string? BoundModule = null,
        string? TypeHint = null)
    {
        public static readonly ValueSpec Void = new(ValueKind.Void, false, "void");
    }

    internal enum ValueKind
    {
        Void,
        String,
        Int64,
        Int32,
        Boolean,
        Double,
        /// <summary>byte[]</summary>
        Bytes,
        /// <summary>ReadOnlyMemory&lt;byte&gt;</summary>
        Memory,
        /// <summary>IReadOnlyDictionary&lt;string, string&gt;</summary>
        Dictionary,
        /// <summary>IReadOnlyList&lt;string&gt;</summary>
        StringList,
        /// <summary>Another [PyClass] type.</summary>
        Bound,
        /// <summary>Any Python object: Siphon.Runtime.Python.PyBorrowed as a parameter (borrowed),
        /// Siphon.Runtime.Python.PyOwned as a result (a new reference handed to Python).</summary>
        Object,
        /// <summary>A result typed System.Object: a string, byte[], ReadOnlyMemory&lt;byte&gt; or null,
        /// converted by its run-time type (a value whose Python type depends on the data, e.g. a
        /// websocket message that is str or bytes). Results only.</summary>
        Any,
    }

    internal enum AsyncKind
    {
        None,
        Task,
        TaskOfT,
        ValueTask,
        ValueTaskOfT,
    }
}
