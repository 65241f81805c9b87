// Where generated definitions meet interpreters. The generator's module initializer registers
// each [PyClass] definition; the first use in an interpreter creates its heap type from the
// generated thunks. In the main interpreter that goes through pythonnet's public type API
// (`new PyType(TypeSpec, bases)`); in a sub-interpreter through PyType_FromSpec on a spec built
// once per process, because any pythonnet object made there could let pythonnet's finalizer queue
// (drained by whoever constructs the next PyObject) drop main-interpreter objects without the main
// GIL. The slot list is the same for both. Slot tables and names live in native memory for good.
// Heap types are per interpreter (docs/architecture.md, "CPython facts"), so they are kept in PyInterpreter.Types.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using PyType = global::Python.Runtime.PyType;
using TypeSpec = global::Python.Runtime.TypeSpec;
using TypeFlags = global::Python.Runtime.TypeFlags;
using TypeSlotID = global::Python.Runtime.TypeSlotID;

// PyObject.Handle is marked obsolete in pythonnet 3 (it prefers its own reference types); a raw
// pointer is exactly what the engine boundary needs here.
#pragma warning disable CS0612

namespace Siphon.Runtime.Python.Binding;

public static unsafe class BindingRegistry
{
    private const int Py_tp_clear = 51, Py_tp_dealloc = 52, Py_tp_doc = 56, Py_tp_traverse = 71, Py_tp_getset = 73,
        Py_tp_methods = 64, Py_tp_new = 65, Py_am_aiter = 78, Py_am_anext = 79;
    private const uint Py_TPFLAGS_DISALLOW_INSTANTIATION = 1 << 7, Py_TPFLAGS_IMMUTABLETYPE = 1 << 8,
        Py_TPFLAGS_HEAPTYPE = 1 << 9, Py_TPFLAGS_HAVE_GC = 1 << 14, Py_TPFLAGS_DEFAULT = 1 << 18;

    private sealed record Slots(string Name, int BasicSize, uint Flags, (int Id, nint Value)[] Table)
    {
        public nint NativeSpec; // PyType_Spec for sub-interpreters, built on first need
    }

    private static readonly ConcurrentDictionary<Type, PyTypeDefinition> s_definitions = new();
    private static readonly ConcurrentDictionary<Type, Slots> s_slots = new();

    /// <summary>Called by generated module initializers.</summary>
    public static void Register(PyTypeDefinition definition) => s_definitions[definition.ClrType] = definition;

    public static IReadOnlyCollection<PyTypeDefinition> Definitions => (IReadOnlyCollection<PyTypeDefinition>)s_definitions.Values;

    public static bool IsBound(Type clrType) => s_definitions.ContainsKey(clrType);

    public static PyTypeDefinition Definition(Type clrType) =>
        s_definitions.TryGetValue(clrType, out var d) ? d
            : throw new InvalidOperationException($"{clrType.FullName} is not a [PyClass] type known to the binding registry");

    /// <summary>The heap type (borrowed; the registry keeps it alive) for a bound C# type in the
    /// current interpreter, created on first use. GIL held.</summary>
    public static nint TypeOf(Type clrType)
    {
        var types = PyInterpreter.Current.Types; // dropped with the interpreter (PyInterpreter.EndCurrent)
        if (types.TryGetValue(clrType, out var type)) return type;
        var definition = Definition(clrType);
        var slots = s_slots.GetOrAdd(clrType, _ => BuildSlots(definition));
        type = CApi.PyInterpreterState_Get() == CApi.PyInterpreterState_Main() ? FromTypeSpec(slots) : FromNativeSpec(slots);
        if (BoundObject.BasicSizeOf(type) != slots.BasicSize)
        {
            // BoundObject reads an instance's cache-cell count from its type: never from a wrong offset.
            CApi.Py_DecRef(type);
            throw new InvalidOperationException($"{slots.Name}: tp_basicsize is not where BoundObject reads it (expected {slots.BasicSize})");
        }
        types[clrType] = type;
        RememberAsyncIter(type, definition);
        return type;
    }

    // pythonnet's PyType owns the new type; we take a reference of our own and let it go at once.
    private static nint FromTypeSpec(Slots s)
    {
        var spec = new TypeSpec(s.Name, s.BasicSize, s.Table.Select(t => new TypeSpec.Slot((TypeSlotID)t.Id, t.Value)), (TypeFlags)s.Flags, 0);
        using var type = new PyType(spec, null);
        CApi.Py_IncRef(type.Handle);
        return type.Handle;
    }

    private static nint FromNativeSpec(Slots s)
    {
        lock (s)
        {
            if (s.NativeSpec == 0)
            {
                // PyType_Slot: int slot (padded), void* pfunc; zeroed sentinel.
                var table = (nint*)NativeMemory.AllocZeroed((nuint)((s.Table.Length + 1) * 2 * sizeof(nint)));
                for (var i = 0; i < s.Table.Length; i++)
                {
                    table[i * 2] = s.Table[i].Id;
                    table[i * 2 + 1] = s.Table[i].Value;
                }
                // PyType_Spec: const char* name; int basicsize; int itemsize; unsigned flags; PyType_Slot* slots.
                var spec = (byte*)NativeMemory.AllocZeroed(32);
                *(nint*)spec = Utf8Z.Of(s.Name);
                *(int*)(spec + 8) = s.BasicSize;
                *(uint*)(spec + 16) = s.Flags;
                *(nint*)(spec + 24) = (nint)table;
                s.NativeSpec = (nint)spec;
            }
        }
        return PyErrors.ThrowIfNull(CApi.PyType_FromSpec(s.NativeSpec));
    }

    private static Slots BuildSlots(PyTypeDefinition d)
    {
        // PyGetSetDef: name, get, set, doc, closure (5 pointers); zeroed sentinel at the end.
        var getset = (nint*)NativeMemory.AllocZeroed((nuint)((d.Properties.Length + 1) * 5 * sizeof(nint)));
        for (var i = 0; i < d.Properties.Length; i++)
        {
            var p = d.Properties[i];
            getset[i * 5 + 0] = Utf8Z.Of(p.Name);
            getset[i * 5 + 1] = p.Getter;
            getset[i * 5 + 3] = p.Doc is null ? 0 : Utf8Z.Of(p.Doc);
        }
        // PyMethodDef: name, meth, flags (int, padded), doc (4 pointer-sized cells).
        var methods = (nint*)NativeMemory.AllocZeroed((nuint)((d.Methods.Length + 1) * 4 * sizeof(nint)));
        for (var i = 0; i < d.Methods.Length; i++)
        {
            var m = d.Methods[i];
            methods[i * 4 + 0] = Utf8Z.Of(m.Name);
            methods[i * 4 + 1] = m.Function;
            methods[i * 4 + 2] = (nint)m.Flags;
            methods[i * 4 + 3] = m.Doc is null ? 0 : Utf8Z.Of(m.Doc);
        }
        var slots = new List<(int, nint)>
        {
            (Py_tp_getset, (nint)getset),
            (Py_tp_methods, (nint)methods),
        };
        // Cached property values are Python references held by the instance: the collector must
        // see them (BoundObject's header comment says why).
        var tracked = d.CacheSlots > 0;
        if (tracked)
        {
            slots.Add((Py_tp_dealloc, (nint)(delegate* unmanaged<nint, void>)&BoundObject.DeallocTracked));
            slots.Add((Py_tp_traverse, (nint)(delegate* unmanaged<nint, nint, nint, int>)&BoundObject.Traverse));
            slots.Add((Py_tp_clear, (nint)(delegate* unmanaged<nint, int>)&BoundObject.Clear));
        }
        else
        {
            slots.Add((Py_tp_dealloc, (nint)(delegate* unmanaged<nint, void>)&BoundObject.Dealloc));
        }
        if (d.Doc is not null) slots.Add((Py_tp_doc, Utf8Z.Of(d.Doc)));
        if (d.New != 0) slots.Add((Py_tp_new, d.New));
        // `async for` reads the am_aiter/am_anext slots, not the type's dict: a type with methods
        // named __aiter__/__anext__ gets slots that call them.
        if (d.Methods.Any(m => m.Name == "__aiter__")) slots.Add((Py_am_aiter, (nint)(delegate* unmanaged<nint, nint>)&AIter));
        if (d.Methods.Any(m => m.Name == "__anext__")) slots.Add((Py_am_anext, (nint)(delegate* unmanaged<nint, nint>)&ANext));
        return new Slots($"{d.Module}.{d.Name}", BoundObject.BasicSize(d.CacheSlots),
            Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_IMMUTABLETYPE | (d.New == 0 ? Py_TPFLAGS_DISALLOW_INSTANTIATION : 0)
                | (tracked ? Py_TPFLAGS_HAVE_GC : 0),
            [.. slots]);
    }

    // The __aiter__/__anext__ thunks of types with async-iteration slots, by heap type (any interpreter).
    private static readonly ConcurrentDictionary<nint, (PyMethodDefinition AIter, PyMethodDefinition ANext)> s_asyncIter = new();

    private static void RememberAsyncIter(nint type, PyTypeDefinition d)
    {
        var aiter = d.Methods.FirstOrDefault(m => m.Name == "__aiter__");
        var anext = d.Methods.FirstOrDefault(m => m.Name == "__anext__");
        if (aiter.Function != 0 || anext.Function != 0) s_asyncIter[type] = (aiter, anext);
    }

    [UnmanagedCallersOnly]
    private static nint AIter(nint self) => CallThunk(self, s_asyncIter[CApi.Py_TYPE(self)].AIter);

    [UnmanagedCallersOnly]
    private static nint ANext(nint self) => CallThunk(self, s_asyncIter[CApi.Py_TYPE(self)].ANext);

    // Calls the method's own thunk with no arguments (not a lookup by name: the type's dict maps
    // __aiter__ to the slot's wrapper, which would call back here). NULL with an error set on failure.
    private static nint CallThunk(nint self, PyMethodDefinition m) => m.Flags switch
    {
        PyMethodFlags.NoArgs => ((delegate* unmanaged<nint, nint, nint>)m.Function)(self, 0),
        _ => ((delegate* unmanaged<nint, nint*, nint, nint, nint>)m.Function)(self, null, 0, 0), // FastCallWithKeywords, the only other kind emitted
    };
}
