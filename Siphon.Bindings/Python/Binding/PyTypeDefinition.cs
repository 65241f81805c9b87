// What the generator emits per [PyClass]: names, docstrings and thunk addresses. The runtime
// turns it into a PyType_Spec once per process and a heap type once per interpreter.
namespace Siphon.Runtime.Python.Binding;

/// <summary>A read-only property: getter is <c>delegate* unmanaged&lt;nint self, nint closure, nint&gt;</c>.</summary>
public readonly record struct PyGetterDefinition(string Name, nint Getter, string? Doc);

/// <summary>A method: Function is a PyCFunction-compatible thunk for <see cref="Flags"/>.</summary>
public readonly record struct PyMethodDefinition(string Name, nint Function, PyMethodFlags Flags, string? Doc);

[Flags]
public enum PyMethodFlags
{
    VarArgs = 0x1,
    Keywords = 0x2,
    NoArgs = 0x4,
    O = 0x8,
    FastCall = 0x80,
    FastCallWithKeywords = FastCall | Keywords,
}

/// <param name="ClrType">The bound C# type.</param>
/// <param name="Name">Python class name.</param>
/// <param name="Module">Python module (becomes __module__).</param>
/// <param name="Doc">The class docstring.</param>
/// <param name="Properties">Read-only properties.</param>
/// <param name="Methods">Methods, async ones included (they return awaitables).</param>
/// <param name="New">tp_new thunk <c>delegate* unmanaged&lt;nint type, nint args, nint kwargs, nint&gt;</c>, or 0 when Python may not construct it.</param>
/// <param name="Stub">The class's .pyi text, as the generator wrote it.</param>
/// <param name="CacheSlots">How many [PyProperty(Cached = true)] values an instance keeps (one
/// Python reference each, after the GCHandle; see BoundObject). Non-zero makes the type GC-tracked.</param>
public sealed record PyTypeDefinition(
    Type ClrType,
    string Name,
    string Module,
    string? Doc,
    PyGetterDefinition[] Properties,
    PyMethodDefinition[] Methods,
    nint New,
    string Stub,
    int CacheSlots = 0);
