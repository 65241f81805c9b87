// The attributes the binding generator reads. A [PyClass] type must be partial; its [PyProperty],
// [PyMethod] and [PyConstructor] members become the Python surface (names in snake_case unless
// given), and XML doc <summary> text becomes the docstring. See docs/architecture.md, "Source generator contract".
namespace Siphon.Bindings;

/// <summary>Exposes a C# class to Python as <c>Module.Name</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PyClassAttribute(string name) : Attribute
{
    public string Name { get; } = name;
    /// <summary>The Python module the class appears in (its <c>__module__</c> and its stub file).</summary>
    public string Module { get; set; } = "siphon";
}

/// <summary>A read-only Python property backed by this C# property's getter.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class PyPropertyAttribute(string? name = null) : Attribute
{
    public string? Name { get; } = name;

    /// <summary>Convert the value once per Python object: the first read converts it and keeps the
    /// Python object in the instance, later reads return that same object. Only for a property
    /// whose value never changes for a given C# object (no setter, same value on every read).
    /// A mutable result (a dict, a list) is then shared by every read of that Python object.</summary>
    public bool Cached { get; set; }
}

/// <summary>A Python method. A Task or Task&lt;T&gt; result makes it <c>async def</c>; a trailing
/// CancellationToken parameter is not exposed and fires when the awaiting Python task is cancelled.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PyMethodAttribute(string? name = null) : Attribute
{
    public string? Name { get; } = name;
}

/// <summary>The constructor Python calls; C# default values become Python defaults.
/// A [PyClass] without one cannot be instantiated from Python.</summary>
[AttributeUsage(AttributeTargets.Constructor, Inherited = false)]
public sealed class PyConstructorAttribute : Attribute;

/// <summary>This parameter and every one after it are keyword-only in Python (after <c>*</c>).</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class PyKeywordOnlyAttribute : Attribute;

/// <summary>On a method's first parameter, of type <c>PyBorrowed</c>: receives the Python object the
/// method was called on (for a member that must read what the script sees on that object, such as
/// a cached property it may have changed). Not part of the Python signature.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class PySelfAttribute : Attribute;

/// <summary>Overrides the type annotation written in the .pyi stub for a parameter or result.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue | AttributeTargets.Property, Inherited = false)]
public sealed class PyTypeHintAttribute(string annotation) : Attribute
{
    public string Annotation { get; } = annotation;
}
