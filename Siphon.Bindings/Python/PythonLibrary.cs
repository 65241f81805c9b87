// Loads libpython with RTLD_GLOBAL and routes every [LibraryImport(CApi.Library)] to that handle.
// A private load (NativeLibrary.Load) breaks the stdlib's extension modules (docs/architecture.md, "CPython facts"),
// so the load goes through libc's dlopen and symbols are resolved on its handle.
using System.Reflection;
using System.Runtime.InteropServices;
using Siphon.Runtime.Native;

namespace Siphon.Runtime.Python;

internal static class PythonLibrary
{
    private static nint s_handle;
    private static readonly object s_lock = new();

    public static nint Handle => s_handle != 0 ? s_handle : throw new InvalidOperationException("libpython is not loaded");

    public static void Load(string path)
    {
        lock (s_lock)
        {
            if (s_handle != 0) return;
            var h = Libc.DlOpen(path, Libc.RTLD_NOW | Libc.RTLD_GLOBAL);
            if (h == 0)
                throw new PythonNotFoundException($"cannot load {path}: {Marshal.PtrToStringUTF8(Libc.DlError())}");
            s_handle = h;
            NativeLibrary.SetDllImportResolver(typeof(PythonLibrary).Assembly, Resolve);
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == CApi.Library ? s_handle : 0;

    /// <summary>Address of an exported data symbol (e.g. _Py_NoneStruct, PyExc_ValueError).</summary>
    public static nint Export(string symbol) => NativeLibrary.GetExport(Handle, symbol);
}
