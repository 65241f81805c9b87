// Starts and stops the one CPython runtime of this process. Initialisation goes through PyConfig
// with per-minor-version field offsets (the struct's layout differs between 3.11, 3.12 and 3.13;
// offsets measured from each version's headers with offsetof): Python's own signal handlers are
// off (the host owns SIGINT/SIGTERM), argv is not parsed, and program_name points at the python
// executable so the stdlib and site-packages (a venv's too) are found as that python finds them.
// The initialising thread releases the GIL before returning.
using System.Runtime.InteropServices;
using System.Text;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Python;

public sealed class PythonInitException(string message) : Exception(message);

public static unsafe class PythonRuntime
{
    private record struct ConfigOffsets(int InstallSignalHandlers, int ParseArgv, int ProgramName, int Home);

    private static readonly Dictionary<(int, int), ConfigOffsets> s_offsets = new()
    {
        [(3, 11)] = new(16, 96, 264, 280),
        [(3, 12)] = new(16, 104, 272, 288),
        [(3, 13)] = new(16, 104, 280, 296),
    };

    private static readonly object s_lock = new();
    private static nint s_mainThreadState;

    public static PythonInstall? Install { get; private set; }
    public static bool IsInitialized { get; private set; }

    /// <summary>The directory holding the runtime's own `siphon` package (copied beside the binary).</summary>
    public static string PackageDirectory => Path.Combine(AppContext.BaseDirectory, "python");

    /// <summary>Loads and initialises CPython on the calling thread, which becomes Python's main
    /// thread; returns with the GIL released.</summary>
    public static void Initialize(PythonInstall install)
    {
        lock (s_lock)
        {
            if (IsInitialized)
            {
                if (Install!.LibraryPath != install.LibraryPath)
                    throw new PythonInitException($"CPython is already initialised from {Install.LibraryPath}");
                return;
            }
            if (!s_offsets.TryGetValue((install.Version.Major, install.Version.Minor), out var off))
                throw new PythonInitException($"CPython {install.Version} is not supported (3.11, 3.12, 3.13)");
            PythonLibrary.Load(install.LibraryPath);
            Py.Bind();

            var config = (nint)NativeMemory.AllocZeroed(2048); // larger than any supported PyConfig (≤ 448 bytes)
            try
            {
                CApi.PyConfig_InitPythonConfig(config);
                *(int*)(config + off.InstallSignalHandlers) = 0;
                *(int*)(config + off.ParseArgv) = 0;
                if (install.Executable is { } exe) SetString(config, off.ProgramName, exe, "program_name");
                if (install.Home is { } home) SetString(config, off.Home, home, "home");
                var status = CApi.Py_InitializeFromConfig(config);
                if (status.Type != 0)
                    throw new PythonInitException($"CPython failed to initialise from {install.LibraryPath}: {StatusText(status)}");
            }
            finally
            {
                CApi.PyConfig_Clear(config);
                NativeMemory.Free((void*)config);
            }

            try
            {
                CheckObjectLayout();
                PrependSysPath(PackageDirectory);
            }
            finally
            {
                Install = install;
                IsInitialized = true;
                s_mainThreadState = CApi.PyEval_SaveThread();
            }
        }
    }

    /// <summary>Finalises the interpreter. Call on the thread that initialised it; the GIL must not be held.</summary>
    public static int Finalize()
    {
        lock (s_lock)
        {
            if (!IsInitialized) return 0;
            CApi.PyEval_RestoreThread(s_mainThreadState);
            PyRef.DrainPending();
            BindingRegistry.ForgetInterpreter(CApi.PyInterpreterState_Get());
            IsInitialized = false;
            return CApi.Py_FinalizeEx();
        }
    }

    public static string VersionText => Marshal.PtrToStringUTF8(CApi.Py_GetVersion()) ?? "?";

    private static void SetString(nint config, int offset, string value, string field)
    {
        var bytes = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* p = bytes)
        {
            var status = CApi.PyConfig_SetBytesString(config, config + offset, p);
            if (status.Type != 0) throw new PythonInitException($"cannot set PyConfig.{field}: {StatusText(status)}");
        }
    }

    private static string StatusText(PyStatus s) =>
        $"{Marshal.PtrToStringUTF8(s.Func) ?? "?"}: {Marshal.PtrToStringUTF8(s.ErrMsg) ?? "unknown error"}";

    // Bound instances put a GCHandle right after the object header; make sure the header is what we think.
    private static void CheckObjectLayout()
    {
        var size = EvalInt("object.__basicsize__");
        if (size != BoundObject.HeaderSize)
            throw new PythonInitException($"unexpected PyObject header size {size} (a debug or free-threaded build?); expected {BoundObject.HeaderSize}");
    }

    private static void PrependSysPath(string dir)
    {
        using var sys = PyOwned.Checked(CApi.PyImport_ImportModule((byte*)Utf8Z.Of("sys")));
        using var path = PyOwned.Checked(CApi.PyObject_GetAttrString(sys.Handle, (byte*)Utf8Z.Of("path")));
        using var insert = PyOwned.Checked(CApi.PyObject_GetAttrString(path.Handle, (byte*)Utf8Z.Of("insert")));
        using var zero = PyOwned.Steal(PyConvert.ToPy(0));
        using var d = PyOwned.Steal(PyConvert.ToPy(dir));
        var args = stackalloc nint[2] { zero.Handle, d.Handle };
        using var r = PyOwned.Checked(CApi.PyObject_Vectorcall(insert.Handle, args, 2, 0));
    }

    /// <summary>Evaluates a Python expression to a C# long (GIL held). For small internal checks.</summary>
    internal static long EvalInt(string expression)
    {
        using var result = PyOwned.Checked(Eval(expression));
        return PyConvert.ToInt64(result.Handle, expression);
    }

    /// <summary>Evaluates an expression in a fresh namespace with builtins; returns a new reference.</summary>
    public static nint Eval(string expression, string filename = "<siphon>")
    {
        using var globals = PyOwned.Checked(CApi.PyDict_New());
        PyErrors.ThrowIfMinusOne(CApi.PyDict_SetItemString(globals.Handle, (byte*)Utf8Z.Of("__builtins__"), CApi.PyEval_GetBuiltins()));
        using var code = PyOwned.Checked(Compile(expression, filename, CApi.Py_eval_input));
        return PyErrors.ThrowIfNull(CApi.PyEval_EvalCode(code.Handle, globals.Handle, globals.Handle));
    }

    /// <summary>Compiles source text; returns a new reference to the code object.</summary>
    public static nint Compile(string source, string filename, int start)
    {
        var src = Encoding.UTF8.GetBytes(source + "\0");
        var file = Encoding.UTF8.GetBytes(filename + "\0");
        fixed (byte* s = src)
        fixed (byte* f = file)
            return PyErrors.ThrowIfNull(CApi.Py_CompileStringExFlags(s, f, start, 0, -1));
    }
}
