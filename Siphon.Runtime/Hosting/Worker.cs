// A worker is one dedicated thread that owns one interpreter, holds its GIL and runs an asyncio
// loop forever (docs/architecture.md, "Threading model"). Worker 0 initialises CPython and runs in the main
// interpreter; in worker_mode: interpreters, workers 1..N-1 each create a sub-interpreter with its
// own GIL on their own thread (PythonRuntime.CreateSubInterpreter) and end it there. Everything
// that touches Python happens on the worker's thread: loading the script, building the routing
// table from what it registered, lifecycle hooks, and dispatching requests posted to the inbox.
// A route whose chain (guards + handler) is all plain functions runs whole on a thread of the
// worker's SyncPool, posted there straight from Kestrel; any other chain runs on the loop, where an
// async handler's coroutine becomes an asyncio task whose done-callback (one shared native
// callable) completes the request, and each plain function in it hops to the pool (_submit).
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting;

/// <summary>The script could not be loaded or its startup hooks failed; Message says where and why.</summary>
public sealed class ScriptLoadException(string message) : Exception(message);

public sealed unsafe partial class Worker : IPyLoopHost
{
    private readonly PythonInstall _install;
    private readonly string _scriptPath;
    private readonly ILogger _scriptLog, _log;
    private readonly Inbox _inbox = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<nint, PendingRequest> _inflight = [];
    private readonly SyncPoolOptions _syncOptions;
    private Thread? _thread;
    private SyncPool? _pool;
    private int _outstanding, _stopPosted;
    private bool _keepPython; // a sync handler still runs at shutdown: finalising would pull Python from under it

    // Python objects, owned by the worker thread.
    private PyRef? _host, _loop, _createFuture, _createTask, _ensureFuture, _runChain, _runSyncChain, _onTaskDone, _overloaded, _submit;
    private PyRef[] _handlers = [];
    private bool[] _handlerSync = [], _chainSync = [];
    private PyRef? _middleware; // ((fn, is_sync), ...), or null when the script registered none
    private nint _requestType, _responseType, _coroutineType;
    private PyRef? _shutdownHooks;

    /// <param name="index">0 for the worker that initialises CPython (main interpreter); others run in a sub-interpreter.</param>
    public Worker(PythonInstall install, string scriptPath, ILoggerFactory loggers, int index = 0, SyncPoolOptions? sync = null)
    {
        _install = install;
        Index = index;
        _syncOptions = sync ?? SyncPoolOptions.Default;
        _scriptPath = Path.GetFullPath(scriptPath);
        _scriptLog = loggers.CreateLogger(Path.GetFileNameWithoutExtension(scriptPath));
        _log = loggers.CreateLogger("siphon.worker");
    }

    /// <summary>0: the main interpreter (and CPython's initialiser); above 0: a sub-interpreter with its own GIL.</summary>
    public int Index { get; }

    public bool IsSubInterpreter => Index > 0;

    /// <summary>The routing table, set once the script has loaded.</summary>
    public RouteTable Routes { get; private set; } = RouteTable.Build([]);

    /// <summary>What the script registered (patterns, methods, handler order, lines), to check
    /// that every worker's table is the same.</summary>
    internal string RouteSignature { get; private set; } = "";

    /// <summary>Requests posted and not yet answered (any thread).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Completes when the script has loaded and every on_startup hook has run;
    /// faults with a ScriptLoadException (or the Python/locator error) otherwise.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes with Py_FinalizeEx's result once the worker thread has finished.</summary>
    public Task<int> Stopped => _stopped.Task;

    public void Start()
    {
        _thread = new Thread(Main) { Name = $"siphon-worker-{Index}", IsBackground = true };
        _thread.Start();
    }

    public void Post(IPyWork work) => _inbox.Post(work);

    /// <summary>Hands a request to the sync pool (an all-sync chain) or the loop, counted in
    /// <see cref="Outstanding"/> until it is answered. A full sync queue fails it at once with 503.
    /// Any thread, no GIL.</summary>
    public void Submit(PendingRequest request)
    {
        Interlocked.Increment(ref _outstanding);
        if (!_chainSync[request.HandlerId]) _inbox.Post(request);
        else if (!_pool!.TrySubmit(request)) request.Fail("sync queue full", 503);
    }

    internal void RequestDone() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Stops the loop; on_shutdown hooks run, then the interpreter is finalised (worker 0)
    /// or ended (a sub-interpreter).</summary>
    public Task<int> StopAsync()
    {
        if (_thread is null) return Task.FromResult(0);
        // A worker whose start failed has already stopped (and closed its inbox).
        if (_stopped.Task.IsCompleted || _started.Task.IsFaulted) return _stopped.Task;
        if (Interlocked.Exchange(ref _stopPosted, 1) == 0) Post(new ActionWork(StopLoop));
        return _stopped.Task;
    }

    public nint CreateFuture() => PyErrors.ThrowIfNull(CApi.PyObject_CallNoArgs(_createFuture!.Handle));

    private void Main()
    {
        SubInterpreter? sub = null;
        try
        {
            if (IsSubInterpreter) sub = PythonRuntime.CreateSubInterpreter(); // returns with its GIL held
            else PythonRuntime.Initialize(_install); // returns with the GIL released
        }
        catch (Exception e)
        {
            _inbox.Dispose();
            _started.TrySetException(e);
            _stopped.TrySetResult(1);
            return;
        }
        if (sub is null)
        {
            using var gil = Gil.Acquire();
            RunAttached();
        }
        else
        {
            RunAttached(); // the sub-interpreter's thread state stays attached to this thread
        }
        int rc;
        try
        {
            if (_keepPython) rc = 1;
            else if (sub is null) rc = PythonRuntime.Finalize();
            else
            {
                PythonRuntime.EndSubInterpreter(sub);
                rc = 0;
            }
        }
        catch (Exception e) { _log.LogError(e, "finalising Python failed (worker {Index})", Index); rc = 1; }
        _inbox.Dispose();
        _stopped.TrySetResult(rc);
    }

    /// <summary>Setup, the loop, shutdown hooks and cleanup, with this worker's interpreter's GIL held.</summary>
    private void RunAttached()
    {
        var loaded = false;
        AsyncBridge.Current = this;
        try
        {
            Setup();
            loaded = true;
            _started.TrySetResult();
            RunLoop();
        }
        catch (Exception e)
        {
            if (!_started.TrySetException(e)) _log.LogCritical(e, "the event loop of worker {Index} failed", Index);
        }
        finally
        {
            if (loaded) RunShutdownHooks();
            CloseLoop();
            AsyncBridge.Current = null;
        }
    }

    private void Setup()
    {
        NativeModule.Install(ScriptLog);
        _host = Import("siphon._host");
        using (var asyncio = PyOwned.Checked(CApi.PyImport_ImportModule((byte*)Utf8Z.Of("asyncio"))))
        {
            using var newLoop = Attr(asyncio.Handle, "new_event_loop");
            _loop = PyOwned.Checked(CApi.PyObject_CallNoArgs(newLoop.Handle)).ToRef();
            using var setLoop = Attr(asyncio.Handle, "set_event_loop");
            using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(setLoop.Handle, _loop.Handle));
            _ensureFuture = Attr(asyncio.Handle, "ensure_future").ToRef();
            // 3.12+: a coroutine that finishes without suspending completes inside create_task,
            // with no trip round the loop.
            using var eager = PyOwned.Steal(CApi.PyObject_GetAttrString(asyncio.Handle, (byte*)Utf8Z.Of("eager_task_factory")));
            if (eager.IsNull) CApi.PyErr_Clear();
            else
            {
                using var setFactory = Attr(_loop.Handle, "set_task_factory");
                using var r2 = PyOwned.Checked(CApi.PyObject_CallOneArg(setFactory.Handle, eager.Handle));
            }
        }
        _createFuture = Attr(_loop.Handle, "create_future").ToRef();
        _createTask = Attr(_loop.Handle, "create_task").ToRef();
        _runChain = Attr(_host.Handle, "run_chain").ToRef();
        _runSyncChain = Attr(_host.Handle, "run_sync_chain").ToRef();
        _overloaded = Attr(_host.Handle, "Overloaded").ToRef();
        _submit = PyOwned.Checked(NativeCallable.Create(SubmitSync)).ToRef();
        PyErrors.ThrowIfMinusOne(CApi.PyObject_SetAttrString(_host.Handle, (byte*)Utf8Z.Of("_submit"), _submit.Handle));
        _onTaskDone = PyOwned.Checked(NativeCallable.Create(OnTaskDone)).ToRef();
        _requestType = BindingRegistry.TypeOf(typeof(Request));
        _responseType = BindingRegistry.TypeOf(typeof(Response));
        _coroutineType = PythonLibrary.Export("PyCoro_Type");

        LoadScript();

        using var addReader = Attr(_loop.Handle, "add_reader");
        using var fd = PyOwned.Steal(PyConvert.ToPy(_inbox.FileDescriptor));
        using var drain = PyOwned.Checked(NativeCallable.Create(_ => { _inbox.Drain(RunWork); return PyConvert.None(); }));
        var args = stackalloc nint[3] { fd.Handle, drain.Handle, Py.None };
        using var added = PyOwned.Checked(CApi.PyObject_Vectorcall(addReader.Handle, args, 3, 0));

        _pool = new SyncPool($"py{Index}", CApi.PyInterpreterState_Get(), _syncOptions, OnStall);
        _pool.Start();
    }

    // The watchdog fired (a timer thread, no GIL): exit at once, for the supervisor (processes
    // mode) or the orchestrator to restart this process; nothing here can free the wedged threads.
    private void OnStall(string reason)
    {
        Console.Out.Flush();
        var who = Environment.GetEnvironmentVariable(Supervisor.IndexVariable) ?? Index.ToString(); // processes mode: the supervisor's number
        Console.Error.WriteLine($"siphon: error: worker {who} (pid {Environment.ProcessId}) stalled: {reason}; exiting with status {StallExitCode} so it is restarted");
        Console.Error.Flush();
        Exit(StallExitCode);
    }

    /// <summary>The exit status of a process whose sync pool stalled (handler_stall_abort_secs).</summary>
    public const int StallExitCode = 3;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);

    private nint ScriptLog(nint args)
    {
        var level = PyConvert.ToInt32(CApi.PyTuple_GetItem(args, 0), "level");
        var message = PyConvert.ToString(CApi.PyTuple_GetItem(args, 1), "msg");
        var lvl = level switch { 0 => LogLevel.Debug, 1 => LogLevel.Information, 2 => LogLevel.Warning, _ => LogLevel.Error };
        _scriptLog.Log(lvl, "{Message}", message);
        return PyConvert.None();
    }

    private void LoadScript()
    {
        using var load = Attr(_host!.Handle, "load_script");
        using var path = PyOwned.Steal(PyConvert.ToPy(_scriptPath));
        var result = CApi.PyObject_CallOneArg(load.Handle, path.Handle);
        if (result == 0) throw ScriptError("failed to load");
        using var registered = PyOwned.Steal(result);

        // routes: (path, methods, fn, file, line)
        var routes = CApi.PyTuple_GetItem(registered.Handle, 0);
        var n = (int)CApi.PyList_Size(routes);
        var defs = new List<RouteDefinition>(n);
        _handlers = new PyRef[n];
        _handlerSync = new bool[n];
        using var isAsync = Attr(_host.Handle, "is_async");
        for (var i = 0; i < n; i++)
        {
            var entry = CApi.PyList_GetItem(routes, i);
            var pattern = PyConvert.ToString(CApi.PyTuple_GetItem(entry, 0), "path");
            var methods = PyConvert.ToStringList(CApi.PyTuple_GetItem(entry, 1), "methods");
            _handlers[i] = new PyBorrowed(CApi.PyTuple_GetItem(entry, 2)).NewReference().ToRef();
            _handlerSync[i] = !CallPredicate(isAsync.Handle, _handlers[i].Handle);
            var file = PyConvert.ToString(CApi.PyTuple_GetItem(entry, 3), "file");
            var line = PyConvert.ToInt32(CApi.PyTuple_GetItem(entry, 4), "line");
            defs.Add(new RouteDefinition(pattern, methods, i, file, line));
        }
        RouteSignature = string.Join("\n", defs.Select(d => $"{d.Pattern} {string.Join(",", d.Methods)} {d.HandlerId} {d.Location}"));
        try { Routes = RouteTable.Build(defs); }
        catch (RouteTableException e) { throw new ScriptLoadException(e.Message); }
        catch (ArgumentException e) { throw new ScriptLoadException($"{_scriptPath}: {e.Message}"); }

        var middleware = CApi.PyTuple_GetItem(registered.Handle, 1);
        var m = CApi.PyList_Size(middleware);
        var middlewareSync = true;
        if (m > 0)
        {
            using var pairs = PyOwned.Checked(CApi.PyTuple_New(m));
            for (nint i = 0; i < m; i++)
            {
                var fn = CApi.PyTuple_GetItem(CApi.PyList_GetItem(middleware, i), 0);
                var sync = !CallPredicate(isAsync.Handle, fn);
                middlewareSync &= sync;
                using var pair = PyOwned.Checked(CApi.PyTuple_New(2));
                CApi.Py_IncRef(fn);
                CApi.PyTuple_SetItem(pair.Handle, 0, fn);
                CApi.PyTuple_SetItem(pair.Handle, 1, Py.NewBool(sync));
                CApi.PyTuple_SetItem(pairs.Handle, i, pair.Steal());
            }
            _middleware = pairs.ToRef();
        }
        _chainSync = _handlerSync.Select(h => h && middlewareSync).ToArray();
        _shutdownHooks = new PyBorrowed(CApi.PyTuple_GetItem(registered.Handle, 3)).NewReference().ToRef();

        // on_startup hooks run to completion before any listener accepts.
        using var runHooks = Attr(_host.Handle, "run_hooks");
        var args = stackalloc nint[2] { _loop!.Handle, CApi.PyTuple_GetItem(registered.Handle, 2) };
        var ran = CApi.PyObject_Vectorcall(runHooks.Handle, args, 2, 0);
        if (ran == 0) throw ScriptError("on_startup hook failed");
        CApi.Py_DecRef(ran);
        if (IsSubInterpreter)
            _log.LogInformation("worker {Index} (sub-interpreter) loaded {Script}: {Routes} routes, {Middleware} middleware", Index, _scriptPath, n, m);
        else
            _log.LogInformation("loaded {Script}: {Routes} routes, {Middleware} middleware", _scriptPath, n, m);
    }

    /// <summary>The pending Python error as a ScriptLoadException naming the script line.</summary>
    private ScriptLoadException ScriptError(string what)
    {
        nint type, value, tb;
        CApi.PyErr_Fetch(&type, &value, &tb);
        CApi.PyErr_NormalizeException(&type, &value, &tb);
        if (tb != 0) CApi.PyException_SetTraceback(value, tb);
        using var t = PyOwned.Steal(type);
        using var v = PyOwned.Steal(value);
        using var b = PyOwned.Steal(tb);
        var traceback = PyErrors.FormatTraceback(v.Handle).TrimEnd();
        var where = _scriptPath;
        using (var locate = Attr(_host!.Handle, "error_location"))
        using (var path = PyOwned.Steal(PyConvert.ToPy(_scriptPath)))
        {
            var args = stackalloc nint[2] { v.Handle, path.Handle };
            using var loc = PyOwned.Steal(CApi.PyObject_Vectorcall(locate.Handle, args, 2, 0));
            if (loc.IsNull) CApi.PyErr_Clear();
            else if (!PyConvert.IsNone(loc.Handle)) where = PyConvert.ToStringRaw(loc.Handle);
        }
        var last = traceback.Split('\n')[^1];
        var hint = IsSubInterpreter && traceback.Contains("subinterpreters", StringComparison.Ordinal)
            ? "\n(worker_mode: interpreters runs workers 1..N-1 in sub-interpreters, where extension modules without sub-interpreter support cannot load; worker_mode: processes has no such limit)"
            : "";
        var who = IsSubInterpreter ? $"worker {Index} (sub-interpreter): " : "";
        return new ScriptLoadException($"{who}{where}: {what}: {last}\n{traceback}{hint}");
    }

    private void RunLoop()
    {
        using var runForever = Attr(_loop!.Handle, "run_forever");
        using var r = PyOwned.Checked(CApi.PyObject_CallNoArgs(runForever.Handle));
    }

    private void StopLoop()
    {
        using var stop = Attr(_loop!.Handle, "stop");
        using var r = PyOwned.Checked(CApi.PyObject_CallNoArgs(stop.Handle));
    }

    private void RunShutdownHooks()
    {
        if (_shutdownHooks is null || _host is null || _loop is null) return;
        try
        {
            using var runHooks = Attr(_host.Handle, "run_hooks");
            var args = stackalloc nint[2] { _loop.Handle, _shutdownHooks.Handle };
            using var r = PyOwned.Checked(CApi.PyObject_Vectorcall(runHooks.Handle, args, 2, 0));
        }
        catch (PythonException e)
        {
            _scriptLog.LogError("on_shutdown hook failed:\n{Traceback}", e.PythonTraceback.TrimEnd());
        }
    }

    private void CloseLoop()
    {
        if (_pool is not null)
        {
            // Requests were drained before the loop stopped; what still runs is a sync handler past
            // its timeout. Its thread needs this interpreter's GIL to finish, so let go of it.
            var saved = CApi.PyEval_SaveThread();
            var stuck = _pool.Stop(TimeSpan.FromSeconds(5));
            CApi.PyEval_RestoreThread(saved);
            if (stuck > 0)
            {
                _log.LogError("worker {Index}: {Stuck} sync handler(s) still running 5 s after shutdown began; exiting without finalising Python", Index, stuck);
                _keepPython = true;
            }
        }
        foreach (var p in _inflight.Values) p.Fail("shutting down");
        _inflight.Clear();
        if (_loop is not null)
        {
            using var close = PyOwned.Steal(CApi.PyObject_GetAttrString(_loop.Handle, (byte*)Utf8Z.Of("close")));
            using var r = PyOwned.Steal(close.IsNull ? 0 : CApi.PyObject_CallNoArgs(close.Handle));
            if (r.IsNull) CApi.PyErr_Clear();
        }
        foreach (var h in _handlers) h.Dispose();
        if (_keepPython) return; // the stuck threads may still use these
        foreach (var r in new[] { _middleware, _shutdownHooks, _onTaskDone, _runChain, _runSyncChain, _overloaded, _submit, _createTask, _createFuture, _ensureFuture, _loop, _host })
            r?.Dispose();
        PyRef.DrainPending();
    }

    private void RunWork(IPyWork work)
    {
        try
        {
            work.Run();
        }
        catch (Exception e)
        {
            // One bad item never stops the worker.
            if (CApi.PyErr_Occurred() != 0) CApi.PyErr_Clear();
            _log.LogError(e, "work item failed");
            if (work is PendingRequest p) p.Fail(e.Message);
        }
    }

    // ---------------- dispatch ----------------

    internal void Dispatch(PendingRequest p)
    {
        using var req = PyOwned.Steal(BoundObject.Alloc(_requestType, p.Request));
        var handler = _handlers[p.HandlerId].Handle;
        nint result;
        if (_middleware is null)
            result = CApi.PyObject_CallOneArg(handler, req.Handle);
        else
        {
            var args = stackalloc nint[4] { _middleware.Handle, handler, _handlerSync[p.HandlerId] ? Py.True : Py.False, req.Handle };
            result = CApi.PyObject_Vectorcall(_runChain!.Handle, args, 4, 0);
        }
        Answer(p, result, onLoop: true);
    }

    /// <summary>An all-sync chain, on a sync pool thread with the GIL held. A coroutine the handler
    /// returns (a plain function wrapping an async one) is run on the loop.</summary>
    internal void DispatchSync(PendingRequest p)
    {
        using var req = PyOwned.Steal(BoundObject.Alloc(_requestType, p.Request));
        var handler = _handlers[p.HandlerId].Handle;
        nint result;
        if (_middleware is null)
            result = CApi.PyObject_CallOneArg(handler, req.Handle);
        else
        {
            var args = stackalloc nint[3] { _middleware.Handle, handler, req.Handle };
            result = CApi.PyObject_Vectorcall(_runSyncChain!.Handle, args, 3, 0);
        }
        Answer(p, result, onLoop: false);
    }

    /// <summary>What a chain returned (a new reference, or 0 after raising): the answer, or a task
    /// on the loop for an awaitable (posted there from a pool thread).</summary>
    private void Answer(PendingRequest p, nint result, bool onLoop)
    {
        if (result == 0)
        {
            HandlerRaised(p);
            return;
        }
        using var r = PyOwned.Steal(result);
        if (CApi.Py_TYPE(r.Handle) == _responseType)
        {
            p.Complete(BoundObject.Get<Response>(r.Handle));
            return;
        }
        if (CApi.Py_TYPE(r.Handle) != _coroutineType && !HasAwait(r.Handle))
        {
            BadResult(p, r.Handle);
            return;
        }
        if (onLoop)
        {
            StartTask(p, r.Handle);
            return;
        }
        var awaitable = r.Borrow().NewReference().ToRef();
        Post(new ActionWork(() =>
        {
            try { StartTask(p, awaitable.Handle); }
            finally { awaitable.Dispose(); }
        }));
    }

    private void HandlerRaised(PendingRequest p)
    {
        var e = PyErrors.Fetch();
        _scriptLog.LogError("{Method} {Path} ({Route}): handler raised\n{Traceback}", p.Request.Method, p.Request.Path, p.Route, e.PythonTraceback.TrimEnd());
        p.Fail("handler raised");
    }

    // _host._submit((fn, arg)), loop thread: a future of fn(arg) run on the sync pool. A full
    // queue resolves it with _host.Overloaded, which Finish turns into a 503.
    private nint SubmitSync(nint args)
    {
        using var future = PyOwned.Checked(CreateFuture());
        var job = new FutureJob(this, future.Borrow().NewReference().ToRef(),
            new PyBorrowed(CApi.PyTuple_GetItem(args, 0)).NewReference().ToRef(),
            new PyBorrowed(CApi.PyTuple_GetItem(args, 1)).NewReference().ToRef());
        if (!_pool!.TrySubmit(job))
        {
            job.Dispose();
            using var exc = PyOwned.Checked(CApi.PyObject_CallNoArgs(_overloaded!.Handle));
            using var setException = Attr(future.Handle, "set_exception");
            using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(setException.Handle, exc.Handle));
        }
        return future.Steal();
    }

    /// <summary>One plain function of a mixed chain: runs on a pool thread, resolves its future on the loop.</summary>
    private sealed class FutureJob(Worker worker, PyRef future, PyRef fn, PyRef arg) : ISyncJob, IPyWork
    {
        private PyRef? _result, _error;

        public bool Abandoned => false;

        public void RunSync()
        {
            if (!CallBool(future.Handle, "done")) // not cancelled meanwhile (its request timed out)
            {
                var r = CApi.PyObject_CallOneArg(fn.Handle, arg.Handle);
                if (r != 0) _result = new PyRef(r);
                else
                {
                    nint type, value, tb;
                    CApi.PyErr_Fetch(&type, &value, &tb);
                    CApi.PyErr_NormalizeException(&type, &value, &tb);
                    if (tb != 0) CApi.PyException_SetTraceback(value, tb);
                    CApi.Py_DecRef(type);
                    if (tb != 0) CApi.Py_DecRef(tb);
                    _error = new PyRef(value);
                }
            }
            worker.Post(this);
        }

        public void Drop(string reason) => worker.Post(this);

        // Loop thread: resolve the future (unless it was cancelled) and drop the references.
        public void Run()
        {
            try
            {
                if (CallBool(future.Handle, "done")) return;
                if (_result is not null)
                {
                    using var set = Attr(future.Handle, "set_result");
                    using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(set.Handle, _result.Handle));
                }
                else
                {
                    using var message = PyOwned.Steal(PyConvert.ToPy("the sync pool is shutting down"));
                    using var exc = _error is not null ? _error.Borrow().NewReference()
                        : PyOwned.Checked(CApi.PyObject_CallOneArg(Py.RuntimeError, message.Handle));
                    using var set = Attr(future.Handle, "set_exception");
                    using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(set.Handle, exc.Handle));
                }
            }
            finally { Dispose(); }
        }

        public void Dispose()
        {
            foreach (var r in new[] { future, fn, arg, _result, _error }) r?.Dispose();
        }
    }

    private static bool HasAwait(nint o)
    {
        var a = CApi.PyObject_GetAttrString(o, (byte*)Utf8Z.Of("__await__"));
        if (a == 0) { CApi.PyErr_Clear(); return false; }
        CApi.Py_DecRef(a);
        return true;
    }

    private void StartTask(PendingRequest p, nint awaitable)
    {
        var factory = CApi.Py_TYPE(awaitable) == _coroutineType ? _createTask! : _ensureFuture!;
        var t = CApi.PyObject_CallOneArg(factory.Handle, awaitable);
        if (t == 0)
        {
            var e = PyErrors.Fetch();
            _scriptLog.LogError("{Method} {Path}: could not schedule the handler\n{Traceback}", p.Request.Method, p.Request.Path, e.PythonTraceback.TrimEnd());
            p.Fail("could not schedule");
            return;
        }
        using var task = PyOwned.Steal(t);
        if (CallBool(task.Handle, "done"))
        {
            Finish(p, task.Handle); // eager task factory: it already ran to completion
            return;
        }
        using var addDone = Attr(task.Handle, "add_done_callback");
        using var added = PyOwned.Checked(CApi.PyObject_CallOneArg(addDone.Handle, _onTaskDone!.Handle));
        _inflight[task.Handle] = p;
        p.PyTask = task.Borrow().NewReference().ToRef();
    }

    private nint OnTaskDone(nint task)
    {
        if (_inflight.Remove(task, out var p))
        {
            p.PyTask?.Dispose();
            p.PyTask = null;
            Finish(p, task);
        }
        return PyConvert.None();
    }

    private void Finish(PendingRequest p, nint task)
    {
        if (CallBool(task, "cancelled"))
        {
            p.Fail("cancelled");
            return;
        }
        using (var getException = Attr(task, "exception"))
        using (var exc = PyOwned.Checked(CApi.PyObject_CallNoArgs(getException.Handle)))
        {
            if (!PyConvert.IsNone(exc.Handle) && CApi.PyObject_IsInstance(exc.Handle, _overloaded!.Handle) == 1)
            {
                p.Fail("sync queue full", 503);
                return;
            }
            if (!PyConvert.IsNone(exc.Handle))
            {
                _scriptLog.LogError("{Method} {Path} ({Route}): handler raised\n{Traceback}", p.Request.Method, p.Request.Path, p.Route, PyErrors.FormatTraceback(exc.Handle).TrimEnd());
                p.Fail("handler raised");
                return;
            }
        }
        using var getResult = Attr(task, "result");
        using var result = PyOwned.Checked(CApi.PyObject_CallNoArgs(getResult.Handle));
        if (CApi.Py_TYPE(result.Handle) == _responseType) p.Complete(BoundObject.Get<Response>(result.Handle));
        else BadResult(p, result.Handle);
    }

    private void BadResult(PendingRequest p, nint result)
    {
        _scriptLog.LogError("{Method} {Path} ({Route}): handler returned {Type}, not http.Response", p.Request.Method, p.Request.Path, p.Route, PyConvert.TypeNameOf(result));
        p.Fail("bad result");
    }

    // ---------------- small helpers ----------------

    private static PyRef Import(string name) => PyOwned.Checked(CApi.PyImport_ImportModule((byte*)Utf8Z.Of(name))).ToRef();

    private static PyOwned Attr(nint o, string name) => PyOwned.Checked(CApi.PyObject_GetAttrString(o, (byte*)Utf8Z.Of(name)));

    private static bool CallPredicate(nint fn, nint arg)
    {
        using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(fn, arg));
        return CApi.PyObject_IsTrue(r.Handle) == 1;
    }

    private static bool CallBool(nint o, string method)
    {
        using var m = Attr(o, method);
        using var r = PyOwned.Checked(CApi.PyObject_CallNoArgs(m.Handle));
        return r.Handle == Py.True;
    }
}
