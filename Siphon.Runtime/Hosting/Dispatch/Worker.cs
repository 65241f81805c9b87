// A worker is one dedicated thread that owns one interpreter, holds its GIL and runs an asyncio
// loop forever (docs/architecture.md, "Threading model"). Worker 0 initialises CPython and runs in the main
// interpreter; in worker_mode: interpreters, workers 1..N-1 each create a sub-interpreter with its
// own GIL on their own thread (PythonRuntime.CreateSubInterpreter) and end it there. Everything
// that touches Python happens on the worker's thread: loading the script, building the routing
// table from what it registered, lifecycle hooks, and dispatching requests posted to the inbox.
// What one load of the script registered is a ScriptVersion; a live reload (Worker.Reload.cs)
// swaps the current one while requests that entered the old one finish on it.
// A route whose chain (guards + handler) is all plain functions runs whole on a thread of the
// worker's SyncPool, posted there straight from Kestrel; any other chain runs on the loop, where an
// async handler's coroutine becomes an asyncio task whose done-callback (one shared native
// callable) completes the request, and each plain function in it hops to the pool (_submit).
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Telemetry;
using PythonEngine = global::Python.Runtime.PythonEngine;
using Siphon.Runtime.Hosting.Supervision;

namespace Siphon.Runtime.Hosting.Dispatch;

/// <summary>The script could not be loaded or its startup hooks failed; Message says where and why.</summary>
public sealed class ScriptLoadException(string message) : Exception(message);

public sealed unsafe partial class Worker : IPyLoopHost, IWorkerGauges
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
    private HostPackage? _host; // siphon._host: loading, the chain runners, hooks
    private PyRef? _loop, _createFuture, _createTask, _ensureFuture, _onTaskDone, _submit, _park;
    private PyInterpreter? _interpreter;
    // Who runs this interpreter's Python now: the loop, a sync pool thread, or a Kestrel thread that
    // borrowed it while the loop was parked (Worker.Inline.cs).
    private readonly InterpreterToken _token = new();
    private nint _requestType, _responseType, _coroutineType;

    // The version requests enter (swapped by a live reload), and every version not yet dropped
    // (the current one and retired ones still draining; worker thread only).
    private volatile ScriptVersion? _current;
    private readonly List<ScriptVersion> _versions = [];
    private int _versionCount;

    /// <param name="index">0 for the worker that initialises CPython (main interpreter); others run in a sub-interpreter.</param>
    public Worker(PythonInstall install, string scriptPath, ILoggerFactory loggers, int index = 0, SyncPoolOptions? sync = null)
    {
        _install = install;
        Index = index;
        MetricsTag = new("worker", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _syncOptions = sync ?? SyncPoolOptions.Default;
        _scriptPath = Path.GetFullPath(scriptPath);
        _scriptLog = loggers.CreateLogger(Path.GetFileNameWithoutExtension(scriptPath));
        _log = loggers.CreateLogger("siphon.worker");
    }

    /// <summary>0: the main interpreter (and CPython's initialiser); above 0: a sub-interpreter with its own GIL.</summary>
    public int Index { get; }

    /// <summary>Worker 0 finalises CPython when it stops (false: the process goes on using it).</summary>
    internal bool FinalizesPython { get; init; } = true;

    /// <summary>The <c>worker</c> label of this worker's series, made once (a per-request
    /// <c>Index.ToString()</c> would allocate a string on every answered request).</summary>
    public KeyValuePair<string, object?> MetricsTag { get; }

    public bool IsSubInterpreter => Index > 0;

    /// <summary>The version new requests enter; null until the script has loaded.</summary>
    public ScriptVersion? Current => _current;

    /// <summary>What the current version registered (patterns, methods, handler order, lines), to
    /// check that every worker's table is the same.</summary>
    internal string RouteSignature => _current?.RouteSignature ?? "";

    /// <summary>Counts a request into the current version, which then serves it whole (a reload
    /// meanwhile does not switch it); pair with ScriptVersion.Leave. Any thread.</summary>
    internal ScriptVersion Enter()
    {
        while (true)
        {
            var v = _current ?? throw new InvalidOperationException("the script has not loaded");
            if (v.TryEnter()) return v;
        }
    }

    /// <summary>Requests posted and not yet answered (any thread).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Completes when the script has loaded and every on_startup hook has run;
    /// faults with a ScriptLoadException (or the Python/locator error) otherwise.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes with 0 once the worker thread has finished and Python was finalised (or ended), 1 otherwise.</summary>
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
        if (!request.Version.ChainSync[request.HandlerId])
        {
            if (!TryRunInline(request)) _inbox.Post(request);
        }
        else if (!_pool!.TrySubmit(request)) request.Fail("sync queue full", 503);
    }

    internal void RequestDone() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Items waiting on the inbox (metrics; any thread).</summary>
    public int InboxDepth => _inbox.Depth;

    /// <summary>Sync pool threads running a handler (metrics; any thread).</summary>
    public int SyncBusy => _pool?.Busy ?? 0;

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

    public nint CreateFuture() => PyObjects.Call(_createFuture!.Handle).Steal();

    private void Main()
    {
        Telemetry.WorkerLog.SetThread(Index); // this thread's log lines name this worker
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
            using var gil = Gil.Acquire(); // pythonnet's model: one outer Py.GIL() on the worker thread
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
            else if (sub is null) rc = FinalizesPython ? PythonRuntime.Finalize() : 0;
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
        _host = HostPackage.Import(refuseClr: IsSubInterpreter);
        Extensions.ExtensionModules.Install(_host); // the http.yaml extensions' modules, before the script imports them
        _interpreter = PyInterpreter.Current;
        _park = PyOwned.Checked(NativeCallable.Create(Park)).ToRef();
        _loop = _host.NewEventLoop(_park.Handle).ToRef();
        _ensureFuture = PyAsyncio.EnsureFutureFunction().ToRef();
        _createFuture = PyObjects.GetAttr(_loop.Handle, "create_future").ToRef();
        _createTask = PyObjects.GetAttr(_loop.Handle, "create_task").ToRef();
        _submit = PyOwned.Checked(NativeCallable.Create(SubmitSync)).ToRef();
        _host.Attach(_submit.Handle, _loop.Handle);
        _onTaskDone = PyOwned.Checked(NativeCallable.Create(OnTaskDone)).ToRef();
        _requestType = BindingRegistry.TypeOf(typeof(Request));
        _responseType = BindingRegistry.TypeOf(typeof(Response));
        _coroutineType = PythonLibrary.Export("PyCoro_Type");

        LoadScript();

        using var fd = PyOwned.Adopt(PyConvert.ToPy(_inbox.FileDescriptor));
        using var drain = PyOwned.Checked(NativeCallable.Create(_ => { _inbox.Drain(RunWork); return PyConvert.None(); }));
        using (PyObjects.CallMethod(_loop.Handle, "add_reader", fd.Handle, drain.Handle, PyBuiltins.None)) { }

        _pool = new SyncPool($"py{Index}", _interpreter, _syncOptions, OnStall, _token, () => _token.Foreign = _host.ForeignThreads()) { LogWorker = Index };
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
        Siphon.Runtime.Native.Libc.Exit(StallExitCode);
    }

    /// <summary>The exit status of a process whose sync pool stalled (handler_stall_abort_secs).</summary>
    public const int StallExitCode = 3;

    private nint ScriptLog(nint args)
    {
        var level = PyConvert.ToInt32(PyObjects.TupleItem(args, 0), "level");
        var message = PyConvert.ToString(PyObjects.TupleItem(args, 1), "msg");
        var lvl = level switch { 0 => LogLevel.Debug, 1 => LogLevel.Information, 2 => LogLevel.Warning, _ => LogLevel.Error };
        using var trace = Telemetry.Tracing.Use(Telemetry.ScriptTrace.Current()); // the line carries the request's trace ids
        _scriptLog.Log(lvl, "{Message}", message);
        return PyConvert.None();
    }

    private void RunLoop()
    {
        using (PyObjects.CallMethod(_loop!.Handle, "run_forever")) { }
    }

    private void StopLoop()
    {
        using (PyObjects.CallMethod(_loop!.Handle, "stop")) { }
    }

    private void RunShutdownHooks()
    {
        if (_current is not { } version || _host is null || _loop is null) return;
        try { _host.RunHooks(_loop.Handle, version.ShutdownHooks, _scriptPath); }
        catch (ScriptRaisedException e)
        {
            _scriptLog.LogError("on_shutdown hook failed:\n{Traceback}", e.Traceback);
        }
    }

    private void CloseLoop()
    {
        _token.Close(); // no borrow from here on
        _log.LogInformation("worker {Index}: {Inline} requests ran on the thread that read them (longest take of the GIL: {TakeUs:F0} us)",
            Index, _token.Borrows, _token.LongestTake.TotalMicroseconds);
        if (_pool is not null)
        {
            // Requests were drained before the loop stopped; what still runs is a sync handler past
            // its timeout. Its thread needs this interpreter's GIL to finish, so let go of it.
            var saved = PythonEngine.BeginAllowThreads();
            var stuck = _pool.Stop(TimeSpan.FromSeconds(5));
            PythonEngine.EndAllowThreads(saved);
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
            try { using (PyObjects.CallMethod(_loop.Handle, "close")) { } }
            catch (PythonException e) { _log.LogWarning("closing the event loop of worker {Index} failed: {Error}", Index, e.Message); }
        }
        if (_keepPython) return; // the stuck threads may still use these
        _interpreter?.EndBorrowerStates();
        foreach (var v in _versions) v.DisposeReferences();
        _versions.Clear();
        foreach (var r in new[] { _onTaskDone, _submit, _createTask, _createFuture, _ensureFuture, _loop, _park })
            r?.Dispose();
        _host?.Dispose();
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
            PyErrors.Clear();
            _log.LogError(e, "work item failed");
            if (work is PendingRequest p) p.Fail(e.Message);
        }
    }
}
