// The one crossing from a raw pointer to pythonnet's PyObject, for the engine boundary only (an
// encoder handing a generated-type instance to pythonnet). pythonnet has no public constructor for
// it; its internal PyObject(IntPtr), which takes over a new reference, is reached through
// [UnsafeAccessor] (~65 ns) and checked once at start-up, so a pythonnet that changed it fails
// there with a clear message rather than on a request. Main interpreter only: pythonnet's
// finalizer queue drops its wrappers under the main interpreter's GIL.
using System.Runtime.CompilerServices;
using PyObject = global::Python.Runtime.PyObject;

// PyObject.Handle is marked obsolete in pythonnet 3 (it prefers its own reference types); a raw
// pointer is exactly what the engine boundary needs here.
#pragma warning disable CS0612

namespace Siphon.Runtime.Python;

internal static unsafe class PyObjects
{
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern PyObject Create(nint stolenNewReference);

    /// <summary>Hands a new reference over to a pythonnet PyObject (which drops it when disposed or finalised).</summary>
    public static PyObject FromStolen(nint newReference) =>
        newReference != 0 ? Create(newReference) : throw new ArgumentNullException(nameof(newReference));

    /// <summary>At start-up, GIL held: the accessor exists and takes over the reference it is given.</summary>
    public static void CheckAccessor()
    {
        var list = PyErrors.ThrowIfNull(CApi.PyList_New(0)); // refcount 1, ours
        try
        {
            CApi.Py_IncRef(list); // the reference the wrapper will own
            PyObject wrapper;
            try { wrapper = Create(list); }
            catch (MissingMethodException e)
            {
                CApi.Py_DecRef(list);
                throw new PythonInitException($"pythonnet's internal PyObject(IntPtr) constructor is gone ({e.Message}): check the pythonnet version (3.2.1 expected)");
            }
            if (wrapper.Handle != list || *(nint*)list != 2)
                throw new PythonInitException($"pythonnet's PyObject(IntPtr) no longer takes over a reference as expected (refcount {*(nint*)list}, expected 2)");
            wrapper.Dispose();
            if (*(nint*)list != 1)
                throw new PythonInitException($"pythonnet's PyObject.Dispose left refcount {*(nint*)list}, expected 1");
        }
        finally { CApi.Py_DecRef(list); }
    }
}
