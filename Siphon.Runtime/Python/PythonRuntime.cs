// Starts and stops the one CPython runtime of this process. Initialisation goes through PyConfig
// with per-minor-version field offsets (the struct's layout differs between 3.11, 3.12 and 3.13;
// offsets measured from each version's headers with offsetof): Python's own signal handlers are
// off (the host owns SIGINT/SIGTERM), argv is not parsed, and program_name points at the python
// executable so the stdlib and site-packages (a venv's too) are found as that python finds them.
// The initialising thread releases the GIL before returning. Sub-interpreters with their own GIL
// (3.13+) are created and ended here too, each on its own thread; all of them end before the main
// interpreter is finalised.
using System.Runtime.InteropServices;
using System.Text;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Python;

public sealed class PythonInitException(string message) : Exception(message);

/// <summary>A sub-interpreter made by <see cref="PythonRuntime.CreateSubInterpreter"/>, owned by the
/// thread that made it.</summary>
public sealed class SubInterpreter
{
    internal SubInterpreter(nint mainThreadState, nint threadState)
    {
        MainThreadState = mainThreadState;
        ThreadState = threadState;
    }

    /// <summary>The creating thread's (idle) thread state of the main interpreter.</summary>
    internal nint MainThreadState { get; }
    /// <summary>The sub-interpreter's thread state on the creating thread.</summary>
    internal nint ThreadState { get; }
    internal int Ended;
}

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
    private static int s_liveSubInterpreters;

    /// <summary>The oldest CPython whose sub-interpreters with their own GIL this host uses: 3.12
    /// aborts in Py_FinalizeEx once one has existed (docs/architecture.md, "CPython facts").</summary>
    public static readonly Version SubInterpreterMinimum = new(3, 13);

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
            if (Volatile.Read(ref s_liveSubInterpreters) is var live and not 0)
                throw new InvalidOperationException($"{live} sub-interpreter(s) still running: end them first");
            CApi.PyEval_RestoreThread(s_mainThreadState);
            PyInterpreter.EndCurrent();
            IsInitialized = false;
            return CApi.Py_FinalizeEx();
        }
    }

    /// <summary>Creates a sub-interpreter with its own GIL and its own object allocator on the
    /// calling thread, which must hold no thread state, and returns with the new interpreter's GIL
    /// held and its thread state current; the thread keeps it attached until
    /// <see cref="EndSubInterpreter"/> (same thread). CPython must be initialised, at ≥ 3.13.</summary>
    /// <remarks>The sequence: a fresh thread state of the main interpreter for this thread
    /// (PyThreadState_New), attached with PyEval_RestoreThread, which takes the main GIL (creating an
    /// interpreter needs an attached thread state); Py_NewInterpreterFromConfig then releases the
    /// main GIL, and returns with the new interpreter's own GIL held and its thread state current.
    /// The main-interpreter thread state stays with the thread, idle, for the way back.
    /// PyGILState_Ensure is not used: it serves the main interpreter only, and 3.13 rebinds the
    /// thread's gilstate to the new interpreter's thread state.</remarks>
    public static SubInterpreter CreateSubInterpreter()
    {
        lock (s_lock)
        {
            if (!IsInitialized) throw new InvalidOperationException("CPython is not initialised");
            if (Install!.Version < SubInterpreterMinimum)
                throw new PythonInitException($"sub-interpreters with their own GIL need CPython {SubInterpreterMinimum} or newer; this is {Install.Version}");
            Interlocked.Increment(ref s_liveSubInterpreters);
        }
        var main = CApi.PyThreadState_New(CApi.PyInterpreterState_Main());
        if (main == 0)
        {
            Interlocked.Decrement(ref s_liveSubInterpreters);
            throw new PythonInitException("cannot create a thread state for the main interpreter");
        }
        CApi.PyEval_RestoreThread(main);
        // The isolated defaults of CPython's own _PyInterpreterConfig_INIT: own GIL, own obmalloc,
        // so only multi-phase-init extension modules may load; threads yes, daemon threads, fork
        // and exec no (subprocess still works).
        var config = new PyInterpreterConfig
        {
            UseMainObmalloc = 0,
            AllowFork = 0,
            AllowExec = 0,
            AllowThreads = 1,
            AllowDaemonThreads = 0,
            CheckMultiInterpExtensions = 1,
            Gil = PyInterpreterConfig.OwnGil,
        };
        nint tstate = 0;
        var status = CApi.Py_NewInterpreterFromConfig(&tstate, &config);
        if (status.Type != 0 || tstate == 0)
        {
            // On failure the caller's thread state (main, GIL held) is current again.
            CApi.PyThreadState_Clear(main);
            CApi.PyThreadState_DeleteCurrent();
            Interlocked.Decrement(ref s_liveSubInterpreters);
            throw new PythonInitException($"cannot create a sub-interpreter: {StatusText(status)}");
        }
        var sub = new SubInterpreter(main, tstate);
        try
        {
            PrependSysPath(PackageDirectory);
        }
        catch
        {
            EndSubInterpreter(sub);
            throw;
        }
        return sub;
    }

    /// <summary>Ends a sub-interpreter: on the thread that created it, with its GIL held (as
    /// CreateSubInterpreter left it). Returns with no thread state and no GIL.</summary>
    /// <remarks>Py_EndInterpreter needs the sub-interpreter's thread state current and leaves none;
    /// then the thread's main-interpreter thread state is attached again (main GIL), cleared and
    /// deleted, which releases the main GIL.</remarks>
    public static void EndSubInterpreter(SubInterpreter sub)
    {
        if (Interlocked.Exchange(ref sub.Ended, 1) != 0) return;
        PyInterpreter.EndCurrent();
        CApi.Py_EndInterpreter(sub.ThreadState);
        CApi.PyEval_RestoreThread(sub.MainThreadState);
        CApi.PyThreadState_Clear(sub.MainThreadState);
        CApi.PyThreadState_DeleteCurrent();
        Interlocked.Decrement(ref s_liveSubInterpreters);
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
