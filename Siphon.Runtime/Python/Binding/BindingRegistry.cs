// Where generated definitions meet interpreters. The generator's module initializer registers
// each [PyClass] definition; the first use in an interpreter creates its heap type from a
// PyType_Spec built once per process (specs, tables and names live in native memory for good).
// Heap types are per interpreter (docs/architecture.md, "CPython facts"), so they are kept in PyInterpreter.Types.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python.Binding;

public static unsafe class BindingRegistry
{
    private const int Py_tp_dealloc = 52, Py_tp_doc = 56, Py_tp_getset = 73, Py_tp_methods = 64, Py_tp_new = 65;
    private const uint Py_TPFLAGS_DISALLOW_INSTANTIATION = 1 << 7, Py_TPFLAGS_IMMUTABLETYPE = 1 << 8,
        Py_TPFLAGS_DEFAULT = 1 << 18;

    private static readonly ConcurrentDictionary<Type, PyTypeDefinition> s_definitions = new();
    private static readonly ConcurrentDictionary<Type, nint> s_specs = new();

    /// <summary>Called by generated module initializers.</summary>
    public static void Register(PyTypeDefinition definition) => s_definitions[definition.ClrType] = definition;

    public static IReadOnlyCollection<PyTypeDefinition> Definitions => (IReadOnlyCollection<PyTypeDefinition>)s_definitions.Values;

    public static PyTypeDefinition Definition(Type clrType) =>
        s_definitions.TryGetValue(clrType, out var d) ? d
            : throw new InvalidOperationException($"{clrType.FullName} is not a [PyClass] type known to the binding registry");

    /// <summary>The heap type (borrowed; the registry keeps it alive) for a bound C# type in the
    /// current interpreter, created on first use. GIL held.</summary>
    public static nint TypeOf(Type clrType)
    {
        var types = PyInterpreter.Current.Types; // dropped with the interpreter (PyInterpreter.EndCurrent)
        if (types.TryGetValue(clrType, out var type)) return type;
        type = PyErrors.ThrowIfNull(CApi.PyType_FromSpec(SpecFor(Definition(clrType))));
        types[clrType] = type;
        return type;
    }

    private static nint SpecFor(PyTypeDefinition d) => s_specs.GetOrAdd(d.ClrType, _ => BuildSpec(d));

    private static nint BuildSpec(PyTypeDefinition d)
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
            (Py_tp_dealloc, (nint)(delegate* unmanaged<nint, void>)&BoundObject.Dealloc),
            (Py_tp_getset, (nint)getset),
            (Py_tp_methods, (nint)methods),
        };
        if (d.Doc is not null) slots.Add((Py_tp_doc, Utf8Z.Of(d.Doc)));
        if (d.New != 0) slots.Add((Py_tp_new, d.New));
        // PyType_Slot: int slot (padded), void* pfunc.
        var slotTable = (nint*)NativeMemory.AllocZeroed((nuint)((slots.Count + 1) * 2 * sizeof(nint)));
        for (var i = 0; i < slots.Count; i++)
        {
            slotTable[i * 2] = slots[i].Item1;
            slotTable[i * 2 + 1] = slots[i].Item2;
        }
        // PyType_Spec: const char* name; int basicsize; int itemsize; unsigned flags; PyType_Slot* slots.
        var spec = (byte*)NativeMemory.AllocZeroed(32);
        *(nint*)spec = Utf8Z.Of($"{d.Module}.{d.Name}");
        *(int*)(spec + 8) = BoundObject.BasicSize;
        *(int*)(spec + 12) = 0;
        *(uint*)(spec + 16) = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | (d.New == 0 ? Py_TPFLAGS_DISALLOW_INSTANTIATION : 0);
        *(nint*)(spec + 24) = (nint)slotTable;
        return (nint)spec;
    }
}
