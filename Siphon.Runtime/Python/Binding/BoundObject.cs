// The instance layout of every bound type: the PyObject header, then a GCHandle to the C# object.
// Dealloc frees the handle, calls the type's tp_free and drops the instance's reference to its
// heap type (heap-type instances own one). LiveHandles lets tests prove nothing leaks.
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python.Binding;

public static unsafe class BoundObject
{
    /// <summary>ob_refcnt + ob_type (checked against object.__basicsize__ at start-up).</summary>
    public static readonly int HeaderSize = 2 * sizeof(nint);
    public static int BasicSize => HeaderSize + sizeof(nint);
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
        value is null ? Py.NewNone() : Alloc(BindingRegistry.TypeOf(typeof(T)), value);

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

    [UnmanagedCallersOnly]
    internal static void Dealloc(nint self)
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
