using System.Runtime.CompilerServices;

namespace Siphon.Runtime.Python;

/// <summary>Addresses of singletons and exception types, read once after the library loads.</summary>
internal static unsafe class PyBuiltins
{
    public static nint None, True, False;
    public static nint BoolType, FloatType, ByteArrayType;
    public static nint ValueError, TypeError, KeyError, RuntimeError, TimeoutError, NotImplementedError,
        OverflowError, MemoryError, LookupError, AttributeError;

    internal static void Bind()
    {
        None = PythonLibrary.Export("_Py_NoneStruct");
        True = PythonLibrary.Export("_Py_TrueStruct");
        False = PythonLibrary.Export("_Py_FalseStruct");
        BoolType = PythonLibrary.Export("PyBool_Type");
        FloatType = PythonLibrary.Export("PyFloat_Type");
        ByteArrayType = PythonLibrary.Export("PyByteArray_Type");
        // PyExc_* are pointer variables: dereference them.
        static nint Exc(string name) => *(nint*)PythonLibrary.Export("PyExc_" + name);
        ValueError = Exc("ValueError"); TypeError = Exc("TypeError"); KeyError = Exc("KeyError");
        RuntimeError = Exc("RuntimeError"); TimeoutError = Exc("TimeoutError");
        NotImplementedError = Exc("NotImplementedError"); OverflowError = Exc("OverflowError");
        MemoryError = Exc("MemoryError"); LookupError = Exc("LookupError"); AttributeError = Exc("AttributeError");
    }

    /// <summary>A new reference to None.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint NewNone() { CApi.Py_IncRef(None); return None; }

    public static nint NewBool(bool v) { var o = v ? True : False; CApi.Py_IncRef(o); return o; }
}
