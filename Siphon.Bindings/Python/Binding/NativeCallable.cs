// A Python callable backed by a C# delegate: a builtin function whose `self` is a capsule holding
// a GCHandle to the delegate. Used for asyncio callbacks (done-callbacks, add_reader) where a
// generated class would be overkill. The capsule's destructor frees the handle.
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python.Binding;

public static unsafe class NativeCallable
{
    private const int METH_O = 0x8;
    private static readonly nint s_methodDef = CreateMethodDef();
    private static readonly nint s_capsuleName = Utf8Z.Of("siphon.native_callable");

    /// <summary>A new reference to a callable taking one argument. <paramref name="body"/> gets the
    /// argument borrowed and returns a new reference (0 after raising is not allowed: throw instead).</summary>
    public static nint Create(Func<nint, nint> body)
    {
        var handle = GCHandle.ToIntPtr(GCHandle.Alloc(body));
        var capsule = CApi.PyCapsule_New(handle, (byte*)s_capsuleName, (nint)(delegate* unmanaged<nint, void>)&Destroy);
        if (capsule == 0)
        {
            GCHandle.FromIntPtr(handle).Free();
            throw PyErrors.Fetch();
        }
        using var owned = PyOwned.Adopt(capsule);
        return PyErrors.ThrowIfNull(CApi.PyCFunction_NewEx(s_methodDef, capsule, 0));
    }

    private static nint CreateMethodDef()
    {
        var def = (nint*)NativeMemory.AllocZeroed((nuint)(4 * sizeof(nint)));
        def[0] = Utf8Z.Of("siphon_native_callable");
        def[1] = (nint)(delegate* unmanaged<nint, nint, nint>)&Invoke;
        def[2] = METH_O;
        return (nint)def;
    }

    [UnmanagedCallersOnly]
    private static nint Invoke(nint self, nint arg)
    {
        try
        {
            var p = CApi.PyCapsule_GetPointer(self, (byte*)s_capsuleName);
            if (p == 0) return 0;
            return ((Func<nint, nint>)GCHandle.FromIntPtr(p).Target!)(arg);
        }
        catch (Exception e)
        {
            PyErrors.SetFromException(e);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void Destroy(nint capsule)
    {
        var p = CApi.PyCapsule_GetPointer(capsule, (byte*)s_capsuleName);
        if (p != 0) GCHandle.FromIntPtr(p).Free();
        else CApi.PyErr_Clear();
    }
}
