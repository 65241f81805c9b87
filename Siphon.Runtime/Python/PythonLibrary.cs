// Loads libpython with RTLD_GLOBAL and routes every [LibraryImport(CApi.Library)] to that handle.
// A private load (NativeLibrary.Load) breaks the stdlib's extension modules (docs/architecture.md, "CPython facts"),
// so the load goes through libc's dlopen and symbols are resolved on its handle.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python;

internal static unsafe partial class PythonLibrary
{
    private const int RTLD_NOW = 2, RTLD_GLOBAL = 0x100;
    private static nint s_handle;
    private static readonly object s_lock = new();

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial nint DlError();

    public static nint Handle => s_handle != 0 ? s_handle : throw new InvalidOperationException("libpython is not loaded");

    public static void Load(string path)
    {
        lock (s_lock)
        {
            if (s_handle != 0) return;
            var h = DlOpen(path, RTLD_NOW | RTLD_GLOBAL);
            if (h == 0)
                throw new PythonNotFoundException($"cannot load {path}: {Marshal.PtrToStringUTF8(DlError())}");
            s_handle = h;
            NativeLibrary.SetDllImportResolver(typeof(PythonLibrary).Assembly, Resolve);
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == CApi.Library ? s_handle : 0;

    /// <summary>Address of an exported data symbol (e.g. _Py_NoneStruct, PyExc_ValueError).</summary>
    public static nint Export(string symbol) => NativeLibrary.GetExport(Handle, symbol);
}
