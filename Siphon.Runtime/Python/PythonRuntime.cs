// Starts and stops the one CPython runtime of this process. pythonnet hosts the engine
// (PythonEngine.Initialize/Shutdown: version support, the `clr` module scripts may import); this
// class tells it which library to load (PythonLocator's choice), keeps Python's own signal handlers
// off (the host owns SIGINT/SIGTERM), points sys.executable at the real interpreter, and releases
// the GIL on the initialising thread (PythonEngine.BeginAllowThreads) before returning.
// Sub-interpreters with their own GIL (3.13+) are not something pythonnet offers: they are created
// and ended here through the C API, on the runtime pythonnet initialised, each on its own thread;
// all of them end before the main interpreter is finalised.
using System.Runtime.InteropServices;
using System.Text;
using Siphon.Runtime.Python.Binding;
using PythonEngine = global::Python.Runtime.PythonEngine;
using PythonNetRuntime = global::Python.Runtime.Runtime;

namespace Siphon.Runtime.Python;

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
            if (!PythonLocator.IsSupported(install.Version))
                throw new PythonInitException($"CPython {install.Version} is not supported ({PythonLocator.SupportedText})");
            // Our [LibraryImport]s resolve on our own RTLD_GLOBAL handle; pythonnet's load of the
            // same path (also global) then returns that same handle.
            PythonLibrary.Load(install.LibraryPath);
            PyBuiltins.Bind();
            PythonNetRuntime.PythonDLL = install.LibraryPath;
            // program_name: the stdlib and site-packages (a venv's too) are found as that python finds them.
            if (install.Executable is { } exe) PythonEngine.ProgramName = exe;
            // Only set for a library named directly, where the locator checked lib/pythonX.Y/os.py is there
            // (a bad home aborts the process inside Py_Initialize).
            if (install.Home is { } home) PythonEngine.PythonHome = home;
            try
            {
                PythonEngine.Initialize(setSysArgv: false, initSigs: false);
            }
            catch (Exception e)
            {
                throw new PythonInitException($"CPython failed to initialise from {install.LibraryPath}: {e.Message}");
            }
            // pythonnet finalises on ProcessExit; this host finalises on the worker thread, or
            // deliberately not at all when a handler still runs at shutdown (Worker._keepPython),
            // where a finaliser on the exit path would wait for that handler forever.
            AppDomain.CurrentDomain.ProcessExit -= s_pythonNetOnExit.Value;
            try
            {
                CheckObjectLayout();
                PyObjects.CheckAccessor();
                if (install.Executable is { } exe2) SetSysAttr("executable", exe2);
                PrependSysPath(PackageDirectory);
                BoundObjectEncoder.Register();
            }
            finally
            {
                Install = install;
                IsInitialized = true;
                s_mainThreadState = PythonEngine.BeginAllowThreads();
            }
        }
    }

    private static readonly Lazy<EventHandler> s_pythonNetOnExit = new(() =>
        (EventHandler)Delegate.CreateDelegate(typeof(EventHandler),
            typeof(PythonEngine).GetMethod("OnProcessExit", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            ?? throw new PythonInitException("pythonnet's PythonEngine.OnProcessExit is gone: check the pythonnet version (3.2.1 expected)")));

    /// <summary>Finalises the interpreter. Call on the thread that initialised it; the GIL must not be held.</summary>
    public static int Finalize()
    {
        lock (s_lock)
        {
            if (!IsInitialized) return 0;
            if (Volatile.Read(ref s_liveSubInterpreters) is var live and not 0)
                throw new InvalidOperationException($"{live} sub-interpreter(s) still running: end them first");
            PythonEngine.EndAllowThreads(s_mainThreadState);
            PyInterpreter.EndCurrent();
            IsInitialized = false;
            PythonEngine.Shutdown();
            return 0;
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

    private static string StatusText(PyStatus s) =>
        $"{Marshal.PtrToStringUTF8(s.Func) ?? "?"}: {Marshal.PtrToStringUTF8(s.ErrMsg) ?? "unknown error"}";

    // Bound instances put a GCHandle right after the object header; make sure the header is what we think.
    private static void CheckObjectLayout()
    {
        var size = EvalInt("object.__basicsize__");
        if (size != BoundObject.HeaderSize)
            throw new PythonInitException($"unexpected PyObject header size {size} (a debug or free-threaded build?); expected {BoundObject.HeaderSize}");
    }

    private static void SetSysAttr(string name, string value)
    {
        using var sys = PyObjects.Import("sys");
        using var v = PyOwned.Adopt(PyConvert.ToPy(value));
        PyObjects.SetAttr(sys.Handle, name, v.Handle);
    }

    private static void PrependSysPath(string dir)
    {
        using var sys = PyObjects.Import("sys");
        using var path = PyObjects.GetAttr(sys.Handle, "path");
        using var insert = PyObjects.GetAttr(path.Handle, "insert");
        using var zero = PyOwned.Adopt(PyConvert.ToPy(0));
        using var d = PyOwned.Adopt(PyConvert.ToPy(dir));
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
