// The typed face of the runtime's own Python package siphon._host (python/siphon/_host/): one C#
// method per entry point the worker calls, so that the dispatch code names what it calls and never
// builds argument tuples or looks attributes up itself. One instance per worker (each interpreter
// imports its own copy of the package); every call: the worker's threads, GIL held.
namespace Siphon.Runtime.Python;

internal sealed unsafe class HostPackage : IDisposable
{
    private readonly PyRef _module, _loadScript, _restoreModules, _errorLocation, _runHooks, _runHooksAsync;
    private readonly PyRef _runChain, _runSyncChain, _runWrappedChain, _runWrappedSyncChain, _overloaded;
    private readonly PyRef _firstStep, _foreignThreads, _threadsActive, _sysModules;
    private nint _lastThreads = -1, _lastModules = -1;
    private bool _foreign;

    private HostPackage(PyRef module)
    {
        _module = module;
        var m = module.Handle;
        _loadScript = PyObjects.GetAttr(m, "load_script").ToRef();
        _restoreModules = PyObjects.GetAttr(m, "restore_modules").ToRef();
        _errorLocation = PyObjects.GetAttr(m, "error_location").ToRef();
        _runHooks = PyObjects.GetAttr(m, "run_hooks").ToRef();
        _runHooksAsync = PyObjects.GetAttr(m, "run_hooks_async").ToRef();
        _runChain = PyObjects.GetAttr(m, "run_chain").ToRef();
        _runSyncChain = PyObjects.GetAttr(m, "run_sync_chain").ToRef();
        _runWrappedChain = PyObjects.GetAttr(m, "run_wrapped_chain").ToRef();
        _runWrappedSyncChain = PyObjects.GetAttr(m, "run_wrapped_sync_chain").ToRef();
        _overloaded = PyObjects.GetAttr(m, "Overloaded").ToRef();
        _firstStep = PyObjects.GetAttr(m, "first_step").ToRef();
        _foreignThreads = PyObjects.GetAttr(m, "foreign_threads").ToRef();
        using (var threading = PyObjects.Import("threading")) _threadsActive = PyObjects.GetAttr(threading.Handle, "_active").ToRef();
        using (var sys = PyObjects.Import("sys")) _sysModules = PyObjects.GetAttr(sys.Handle, "modules").ToRef();
    }

    /// <summary>The worker's event loop (a new reference), made the thread's current one: its selector
    /// waits through <paramref name="park"/>, a callable taking (epoll fd, timeout in seconds or -1).</summary>
    public PyOwned NewEventLoop(nint park) => PyObjects.CallMethod(_module.Handle, "new_event_loop", park);

    /// <summary>On a borrowing thread: the awaitable as a task of <paramref name="loop"/> with its first
    /// step run here, and whether the loop must be woken. A new reference: the task's result when
    /// <paramref name="finished"/> (it returned without raising), else the task.</summary>
    public PyOwned FirstStep(nint loop, nint awaitable, out bool wakeLoop, out bool finished)
    {
        using var step = PyObjects.Call(_firstStep.Handle, loop, awaitable);
        wakeLoop = PyObjects.IsTrue(PyObjects.TupleItem(step.Handle, 1));
        finished = PyObjects.IsTrue(PyObjects.TupleItem(step.Handle, 2));
        return new PyBorrowed(PyObjects.TupleItem(step.Handle, 0)).NewReference();
    }

    /// <summary>Whether a thread the host does not know may run this interpreter's Python (see
    /// _host/parking.py). Asked whenever a party lets go of the interpreter, so it is cheap: the
    /// answer is recomputed only when threading._active or sys.modules changed size.</summary>
    public bool ForeignThreads()
    {
        var threads = CApi.PyDict_Size(_threadsActive.Handle);
        var modules = CApi.PyDict_Size(_sysModules.Handle);
        if (threads == _lastThreads && modules == _lastModules) return _foreign;
        using var r = PyObjects.Call(_foreignThreads.Handle);
        (_lastThreads, _lastModules, _foreign) = (threads, modules, PyObjects.IsTrue(r.Handle));
        return _foreign;
    }

    /// <summary>import siphon._host. In a sub-interpreter (<paramref name="refuseClr"/>), before any
    /// script loads, import clr is made to fail with a clear ImportError.</summary>
    public static HostPackage Import(bool refuseClr)
    {
        var host = new HostPackage(PyObjects.Import("siphon._host").ToRef());
        if (refuseClr)
        {
            using (PyObjects.CallMethod(host._module.Handle, "refuse_clr")) { }
        }
        return host;
    }

    /// <summary>Makes the extensions' modules importable (siphon._host.install_extension_modules):
    /// <paramref name="modules"/> maps each module name to a dict of its bound types.</summary>
    public void InstallExtensionModules(nint modules)
    {
        using (PyObjects.CallMethod(_module.Handle, "install_extension_modules", modules)) { }
    }

    /// <summary>Hands the package the worker's services once (siphon._host.attach): <paramref name="submit"/>
    /// runs a plain function on the sync pool, <paramref name="loop"/> is the worker's event loop.</summary>
    public void Attach(nint submit, nint loop)
    {
        using (PyObjects.CallMethod(_module.Handle, "attach", submit, loop)) { }
    }

    /// <summary>Runs the script as a fresh module: what it registered, or a ScriptRaisedException
    /// naming the script line.</summary>
    public LoadedScript LoadScript(string path)
    {
        using var p = PyOwned.Adopt(PyConvert.ToPy(path));
        using var loaded = PyOwned.Adopt(PyObjects.CallRaw(_loadScript.Handle, p.Handle));
        if (loaded.IsNull) throw Raised(path);
        return LoadedScript.Read(loaded.Handle);
    }

    /// <summary>The pending Python error, raised by the script at <paramref name="path"/>, as a
    /// ScriptRaisedException.</summary>
    public ScriptRaisedException Raised(string path)
    {
        using var exception = PyOwned.Checked(PyErrors.FetchException());
        return Raised(exception.Handle, path);
    }

    /// <summary>An exception instance (with its traceback) raised by the script at <paramref name="path"/>.</summary>
    public ScriptRaisedException Raised(nint exception, string path) =>
        new(PyErrors.FormatTraceback(exception), ErrorLocation(exception, path));

    /// <summary>Puts sys.modules back as it was before a version that is not taken was loaded.
    /// Never throws: a failure here leaves the newer modules in place, which the next load replaces.</summary>
    public void RestoreModules(PyRef saved)
    {
        var r = PyObjects.CallRaw(_restoreModules.Handle, saved.Handle);
        if (r != 0) CApi.Py_DecRef(r);
        else PyErrors.Clear();
    }

    /// <summary>'file:line' of the deepest frame of <paramref name="exception"/> in the script, or null.</summary>
    private string? ErrorLocation(nint exception, string path)
    {
        using var p = PyOwned.Adopt(PyConvert.ToPy(path));
        using var loc = PyOwned.Adopt(PyObjects.CallRaw(_errorLocation.Handle, exception, p.Handle));
        if (loc.IsNull) { PyErrors.Clear(); return null; }
        return PyConvert.IsNone(loc.Handle) ? null : PyConvert.ToStringRaw(loc.Handle);
    }

    /// <summary>Runs the hooks in order, each to completion on <paramref name="loop"/> (not running
    /// yet); a hook that raised is a ScriptRaisedException naming the line in <paramref name="path"/>.</summary>
    public void RunHooks(nint loop, PyRef hooks, string path)
    {
        var r = PyObjects.CallRaw(_runHooks.Handle, loop, hooks.Handle);
        if (r == 0) throw Raised(path);
        CApi.Py_DecRef(r);
    }

    /// <summary>A coroutine that runs the hooks in order (a new reference), for a loop that is running.</summary>
    public PyOwned RunHooksAsync(PyRef hooks) => PyObjects.Call(_runHooksAsync.Handle, hooks.Handle);

    // The chain runners return a new reference, or 0 with the handler's error set: the caller
    // reports it with the request (Worker.Answer).

    /// <summary>handler(req), for a route without middleware.</summary>
    public static nint CallHandler(nint handler, nint req) => PyObjects.CallRaw(handler, req);

    /// <summary>run_chain: guards then handler on the loop (a coroutine).</summary>
    public nint RunChain(nint middleware, nint handler, bool handlerSync, nint req) =>
        PyObjects.CallRaw(_runChain.Handle, middleware, handler, handlerSync ? PyBuiltins.True : PyBuiltins.False, req);

    /// <summary>run_sync_chain: an all-plain chain on a sync pool thread.</summary>
    public nint RunSyncChain(nint middleware, nint handler, nint req) =>
        PyObjects.CallRaw(_runSyncChain.Handle, middleware, handler, req);

    /// <summary>run_wrapped_chain: a chain with wrappers on the loop (a coroutine); <paramref name="handler"/>
    /// is None and <paramref name="answer"/> the host's own answer for a request the host answers.</summary>
    public nint RunWrappedChain(nint middleware, nint handler, bool handlerSync, nint req, nint answer = 0) => answer == 0
        ? PyObjects.CallRaw(_runWrappedChain.Handle, middleware, handler, handlerSync ? PyBuiltins.True : PyBuiltins.False, req)
        : PyObjects.CallRaw(_runWrappedChain.Handle, middleware, handler, handlerSync ? PyBuiltins.True : PyBuiltins.False, req, answer);

    /// <summary>run_wrapped_sync_chain: a chain with wrappers, every function plain, on a sync pool thread.</summary>
    public nint RunWrappedSyncChain(nint middleware, nint handler, nint req, nint answer = 0) => answer == 0
        ? PyObjects.CallRaw(_runWrappedSyncChain.Handle, middleware, handler, req)
        : PyObjects.CallRaw(_runWrappedSyncChain.Handle, middleware, handler, req, answer);

    /// <summary>A new siphon._host.Overloaded() (the sync pool's queue is full).</summary>
    public PyOwned NewOverloaded() => PyObjects.Call(_overloaded.Handle);

    /// <summary>The exception is siphon._host.Overloaded: the request is answered 503.</summary>
    public bool IsOverloaded(nint exception) => PyObjects.IsInstance(exception, _overloaded.Handle);

    public void Dispose()
    {
        foreach (var r in new[] { _firstStep, _foreignThreads, _threadsActive, _sysModules, _runChain, _runSyncChain, _runWrappedChain, _runWrappedSyncChain, _overloaded,
                     _runHooks, _runHooksAsync, _errorLocation, _restoreModules, _loadScript, _module })
            r.Dispose();
    }
}
