// The instance layout of every bound type: the PyObject header, a GCHandle to the C# object, then
// one cell per [PyProperty(Cached = true)] holding that property's Python value (0 until first read):
//   [ob_refcnt | ob_type | GCHandle | cache 0 | cache 1 | ...]
// Cells make a repeated read of an immutable member return the same object instead of converting
// the C# value again (issue 16: req.path_params built a new dict per read). They live in the
// instance, so they belong to the instance's interpreter with no bookkeeping.
// A type with cells is GC-tracked: a script can put the request itself into its cached dict
// (req.headers["me"] = req), a cycle only the collector can break, so Traverse visits the cells
// and Clear drops them. Dealloc frees the handle, calls the type's tp_free and drops the instance's
// reference to its heap type (heap-type instances own one). LiveHandles lets tests prove nothing leaks.
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python.Binding;

public static unsafe class BoundObject
{
    /// <summary>ob_refcnt + ob_type (checked against object.__basicsize__ at start-up).</summary>
    public static readonly int HeaderSize = 2 * sizeof(nint);

    /// <summary>tp_basicsize for a bound type keeping <paramref name="cacheSlots"/> cached values.</summary>
    public static int BasicSize(int cacheSlots) => HeaderSize + (1 + cacheSlots) * sizeof(nint);

    // PyTypeObject starts with PyObject_VAR_HEAD (the header, then ob_size), tp_name, tp_basicsize
    // (Include/cpython/object.h, the same in every CPython 3). BindingRegistry checks the value
    // read here against the size it created each type with before any instance exists.
    private static readonly int s_tpBasicSizeOffset = HeaderSize + 2 * sizeof(nint);

    /// <summary>The tp_basicsize of a type object.</summary>
    internal static nint BasicSizeOf(nint type) => *(nint*)(type + s_tpBasicSizeOffset);

    private const int Py_tp_free = 74;
    private static long s_liveHandles;

    /// <summary>GCHandles held by live Python instances of bound types.</summary>
    public static long LiveHandles => Interlocked.Read(ref s_liveHandles);

    /// <summary>A new Python instance of <paramref name="type"/> wrapping <paramref name="value"/>.</summary>
    public static nint Alloc(nint type, object value)
    {
        var self = PyErrors.ThrowIfNull(CApi.PyType_GenericAlloc(type, 0));
        *(nint*)(self + HeaderSize) = GCHandle.ToIntPtr(GCHandle.Alloc(value));
        Interlocked.Increment(ref s_liveHandles);
        return self;
    }

    /// <summary>A new reference wrapping <paramref name="value"/> in its bound type for this interpreter; None for null.</summary>
    public static nint Wrap<T>(T? value) where T : class =>
        value is null ? PyBuiltins.NewNone() : Alloc(BindingRegistry.TypeOf(typeof(T)), value);

    /// <summary>Like Wrap, but when <paramref name="value"/> is the object behind <paramref name="self"/>
    /// returns self (a new reference) so `r.raise_for_status() is r` holds.</summary>
    public static nint WrapOrSelf<T>(T? value, object target, nint self) where T : class
    {
        if (ReferenceEquals(value, target))
        {
            CApi.Py_IncRef(self);
            return self;
        }
        return Wrap(value);
    }

    /// <summary>The C# object behind <paramref name="self"/> (CPython has checked self's type for slots and methods).</summary>
    public static T Get<T>(nint self) where T : class =>
        (T)GCHandle.FromIntPtr(*(nint*)(self + HeaderSize)).Target!;

    /// <summary>The C# object behind an argument, with a type check.</summary>
    public static T FromPy<T>(nint o, string argName) where T : class
    {
        var expected = BindingRegistry.TypeOf(typeof(T));
        var actual = CApi.Py_TYPE(o);
        if (actual != expected && CApi.PyType_IsSubtype(actual, expected) == 0)
            throw new InvalidCastException($"{argName}: expected {BindingRegistry.Definition(typeof(T)).Name}, got {PyConvert.TypeNameOf(o)}");
        return Get<T>(o);
    }

    public static T? FromPyNullable<T>(nint o, string argName) where T : class =>
        PyConvert.IsNone(o) ? null : FromPy<T>(o, argName);

    /// <summary>A new reference to the value cached in cell <paramref name="slot"/>, or 0 when that
    /// property has not been read through this instance yet. GIL held.</summary>
    public static nint Cached(nint self, int slot)
    {
        var value = Cells(self)[slot];
        if (value != 0) CApi.Py_IncRefNoTransition(value);
        return value;
    }

    /// <summary>Keeps <paramref name="value"/> (a new reference, which stays the caller's) in cell
    /// <paramref name="slot"/>, the cell taking a reference of its own, and returns it. GIL held.</summary>
    public static nint Cache(nint self, int slot, nint value)
    {
        if (value == 0) return 0;
        var cell = Cells(self) + slot;
        var old = *cell; // 0, unless converting the value ran Python code that read the property
        CApi.Py_IncRef(value);
        *cell = value;
        if (old != 0) CApi.Py_DecRef(old);
        return value;
    }

    private static nint* Cells(nint self) => (nint*)(self + HeaderSize) + 1;

    private static int CellCount(nint self) =>
        (int)((BasicSizeOf(CApi.Py_TYPE(self)) - BasicSize(0)) / sizeof(nint));

    /// <summary>tp_traverse of a type with cached values: the cells, then the heap type (which its
    /// instances own a reference to: Python 3.9+ expects them to visit it).</summary>
    [UnmanagedCallersOnly]
    internal static int Traverse(nint self, nint visit, nint arg)
    {
        var visitor = (delegate* unmanaged<nint, nint, int>)visit;
        var cells = Cells(self);
        for (int i = 0, n = CellCount(self); i < n; i++)
        {
            if (cells[i] == 0) continue;
            var r = visitor(cells[i], arg);
            if (r != 0) return r;
        }
        return visitor(CApi.Py_TYPE(self), arg);
    }

    /// <summary>tp_clear: drops the cached values (the collector breaking a cycle through one).</summary>
    [UnmanagedCallersOnly]
    internal static int Clear(nint self)
    {
        ClearCells(self);
        return 0;
    }

    private static void ClearCells(nint self)
    {
        var cells = Cells(self);
        for (int i = 0, n = CellCount(self); i < n; i++)
        {
            var value = cells[i];
            if (value == 0) continue;
            cells[i] = 0; // before the decref, which may run Python code that looks at this object
            CApi.Py_DecRef(value);
        }
    }

    /// <summary>tp_dealloc of a type with cached values: leaves the collector's lists before its
    /// references go (a collection during a decref must not see a dying object), then as Dealloc.</summary>
    [UnmanagedCallersOnly]
    internal static void DeallocTracked(nint self)
    {
        CApi.PyObject_GC_UnTrack(self);
        ClearCells(self);
        Release(self);
    }

    [UnmanagedCallersOnly]
    internal static void Dealloc(nint self) => Release(self);

    private static void Release(nint self)
    {
        var slot = (nint*)(self + HeaderSize);
        if (*slot != 0)
        {
            GCHandle.FromIntPtr(*slot).Free();
            *slot = 0;
            Interlocked.Decrement(ref s_liveHandles);
        }
        var type = CApi.Py_TYPE(self);
        var free = (delegate* unmanaged<nint, void>)CApi.PyType_GetSlot(type, Py_tp_free);
        free(self);
        CApi.Py_DecRef(type);
    }
}
