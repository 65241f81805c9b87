// The threads that run a worker's sync handlers and sync middleware, off its event loop, so a
// handler that blocks (time.sleep, a blocking database driver) never stalls the other requests.
// Each pool thread (named py{worker}-sync-{n}) is a .NET thread with its own thread state in the worker's interpreter: it takes
// that interpreter's GIL only while it runs Python, and the handler releases it while it blocks.
// The pool is elastic as siphon's engine is: `core` threads start with the worker, more start on
// demand (jobs wait and no thread is idle) up to `max`, and none ever exits before shutdown. Jobs
// wait in a bounded queue; past its bound TrySubmit refuses (the request is answered 503). A stall
// watchdog reports a pool that sat at its ceiling, every thread busy, with no job finishing for
// `stallAbort`: the worker then exits for its supervisor to restart it (README, "Sync handlers").
using Siphon.Runtime.Config;
using Siphon.Runtime.Python;
using PythonEngine = global::Python.Runtime.PythonEngine;

namespace Siphon.Runtime.Hosting.Dispatch;

/// <summary>Work for a pool thread.</summary>
internal interface ISyncJob
{
    /// <summary>Runs on a pool thread with the worker interpreter's GIL held; must not throw.</summary>
    void RunSync();

    /// <summary>True when nobody waits for the result any more (its request timed out): skipped.</summary>
    bool Abandoned { get; }

    /// <summary>The job will not run (abandoned, or the pool is stopping); no GIL.</summary>
    void Drop(string reason);
}

/// <summary>Sizes of a worker's sync pool (http.yaml: sync_threads, sync_threads_max, sync_queue_max,
/// handler_stall_abort_secs).</summary>
public sealed record SyncPoolOptions(int CoreThreads, int MaxThreads, int QueueMax, int StallAbortSecs)
{
    /// <summary>siphon's sizes: a core of 2× CPUs (at least 8), a ceiling of max(32, 4× core), 1024 queued jobs, 30 s.</summary>
    public static SyncPoolOptions Default { get; } = new(DefaultCore, DefaultMax(DefaultCore), 1024, 30);

    public static int DefaultCore => Math.Max(8, 2 * Environment.ProcessorCount);

    public static int DefaultMax(int core) => Math.Max(32, 4 * core);

    /// <summary>The sizes http.yaml asks for; a ceiling given alone below the default core lowers the core to it.</summary>
    public static SyncPoolOptions From(SiphonConfig config)
    {
        var core = config.SyncThreads ?? Math.Min(DefaultCore, config.SyncThreadsMax ?? int.MaxValue);
        return new(core, config.SyncThreadsMax ?? DefaultMax(core), config.SyncQueueMax, config.HandlerStallAbortSecs);
    }
}

internal sealed unsafe class SyncPool
{
    private readonly object _gate = new();
    private readonly Queue<ISyncJob> _queue = new();
    private readonly SyncPoolOptions _options;
    private readonly string _name;
    private readonly PyInterpreter _interpreter;
    private readonly List<Thread> _threads = [];
    private readonly Action<string> _onStall;
    private Timer? _watchdog;
    // idle: waiting for a wake-up; searching: woken (or new) and not yet running a job; busy: running one.
    private int _idle, _searching, _wakes, _busy;
    private long _completed, _stallCompleted;
    private long _stallSince; // Environment.TickCount64 when the pool was last seen saturated without progress; 0 = not
    private bool _stopping;

    /// <param name="interpreter">the worker's PyInterpreterState.</param>
    /// <param name="onStall">called (from a timer thread, no GIL) with the reason when the watchdog fires.</param>
    /// <param name="token">the worker's interpreter token: a pool thread is counted in it while it may
    /// hold the GIL, so no Kestrel thread borrows the interpreter meanwhile (null: no borrowing).</param>
    /// <param name="beforeRelease">run with the GIL held before a pool thread lets go of it (the
    /// worker re-checks for threads a handler may have started).</param>
    public SyncPool(string name, PyInterpreter interpreter, SyncPoolOptions options, Action<string> onStall,
        InterpreterToken? token = null, Action? beforeRelease = null)
    {
        _name = name;
        _interpreter = interpreter;
        _options = options;
        _onStall = onStall;
        _token = token;
        _beforeRelease = beforeRelease;
    }

    /// <summary>The worker whose log lines the pool's threads write (Telemetry.WorkerLog).</summary>
    public int LogWorker { get; init; }

    private readonly InterpreterToken? _token;
    private readonly Action? _beforeRelease;

    /// <summary>Starts the core threads and the watchdog.</summary>
    public void Start()
    {
        lock (_gate)
            for (var i = 0; i < _options.CoreThreads; i++) StartThread(searching: false);
        if (_options.StallAbortSecs > 0)
        {
            var period = TimeSpan.FromMilliseconds(Math.Min(1000, _options.StallAbortSecs * 250));
            _watchdog = new Timer(_ => Watch(), null, period, period);
        }
    }

    /// <summary>Queues a job; false when the queue is at its bound (or the pool is stopping). Any thread, no GIL.</summary>
    /// <summary>Threads running a job now (a metrics gauge; read without the lock).</summary>
    public int Busy => Volatile.Read(ref _busy);

    public bool TrySubmit(ISyncJob job)
    {
        lock (_gate)
        {
            if (_stopping || _queue.Count >= _options.QueueMax) return false;
            _queue.Enqueue(job);
            WakeOne();
            return true;
        }
    }

    // Under _gate. One thread at a time searches for work: a woken thread first takes the GIL, then
    // a job, and wakes the next searcher only if jobs remain. A thread that finishes a job takes the
    // next one without letting go of the GIL. So a burst of fast handlers runs on one thread with
    // one GIL hand-over (as the event loop would), while a handler that blocks releases the GIL in
    // its blocking call and the searcher takes the next job at once; the chain of searchers grows
    // the pool, up to its ceiling, as long as jobs are left waiting.
    private void WakeOne()
    {
        if (_searching > 0 || _queue.Count == 0) return;
        if (_idle > _wakes)
        {
            _wakes++;
            _searching++;
            Monitor.Pulse(_gate);
        }
        else if (_threads.Count < _options.MaxThreads) StartThread(searching: true);
    }

    /// <summary>Refuses new jobs, drops queued ones, lets idle threads exit and waits up to
    /// <paramref name="wait"/> for busy ones. Returns how many threads are still running a job.
    /// The caller must not hold the interpreter's GIL (an exiting thread needs it).</summary>
    public int Stop(TimeSpan wait)
    {
        ISyncJob[] dropped;
        Thread[] threads;
        lock (_gate)
        {
            _stopping = true;
            dropped = [.. _queue];
            _queue.Clear();
            threads = [.. _threads];
            Monitor.PulseAll(_gate);
        }
        _watchdog?.Dispose();
        foreach (var job in dropped) job.Drop("shutting down");
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        var stuck = 0;
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)))) stuck++;
        return stuck;
    }

    private void StartThread(bool searching)
    {
        var t = new Thread(() => { Telemetry.WorkerLog.SetThread(LogWorker); Run(searching); }) { Name = $"{_name}-sync-{_threads.Count}", IsBackground = true };
        _threads.Add(t);
        if (searching) _searching++;
        // Not the starter's ExecutionContext: a thread grown from a request's thread would keep that
        // request's Activity.Current (its trace ids) for every job it ever runs.
        t.UnsafeStart();
    }

    private void Run(bool searching)
    {
        // A thread state of its own in the worker's interpreter, made once; the GIL is taken per run
        // of jobs. Main interpreter: pythonnet's model, one outer Py.GIL() (which makes the thread
        // state) and BeginAllowThreads/EndAllowThreads around waits. A sub-interpreter: Py.GIL()
        // (PyGILState) serves the main interpreter only, so the thread state is made and ended here.
        // Counted in the token before the GIL is taken (here and around every run of jobs), so a
        // Kestrel thread never borrows the interpreter while this thread may hold its GIL.
        _token?.EnterPool();
        if (!_interpreter.IsMain) _interpreter.RunOnOwnThreadState(() => RunJobs(searching));
        else
        {
            using var gil = Gil.Acquire();
            RunJobs(searching);
        }
        _token?.LeavePool();
    }

    private nint Release()
    {
        if (_beforeRelease is not null)
        {
            try { _beforeRelease(); }
            catch (Exception) { PyErrors.Clear(); }
        }
        var tstate = PythonEngine.BeginAllowThreads();
        _token?.LeavePool();
        return tstate;
    }

    private void Retake(nint tstate)
    {
        _token?.EnterPool();
        PythonEngine.EndAllowThreads(tstate);
    }

    /// <summary>The thread's life, entered and left with its interpreter's GIL held.</summary>
    private void RunJobs(bool searching)
    {
        var tstate = Release();
        while (true)
        {
            if (!searching)
            {
                lock (_gate)
                {
                    _idle++;
                    while (_wakes == 0 && !_stopping) Monitor.Wait(_gate);
                    _idle--;
                    if (_stopping) break;
                    _wakes--; // WakeOne counted this thread as searching
                }
            }
            searching = false;
            Retake(tstate);
            var first = true;
            while (true)
            {
                ISyncJob? job;
                lock (_gate)
                {
                    if (first) _searching--;
                    first = false;
                    if (_stopping || !_queue.TryDequeue(out job)) break;
                    _busy++;
                    WakeOne(); // jobs remain: in case this one blocks, someone else looks
                }
                if (job.Abandoned) job.Drop("timed out before a sync thread was free");
                else
                {
                    try { job.RunSync(); }
                    catch (Exception e) { job.Drop(e.Message); } // RunSync handles its own errors; never let one end the thread
                    finally { PyErrors.Clear(); }
                }
                lock (_gate)
                {
                    _busy--;
                    _completed++;
                }
            }
            tstate = Release();
            lock (_gate)
                if (_stopping) break;
        }
        Retake(tstate);
    }

    // Saturated = every thread of the ceiling busy. No job finished while saturated for
    // StallAbortSecs = stalled: a wedged handler (a deadlock, a call that never returns) holds every
    // thread, and only a restart frees them.
    private void Watch()
    {
        string? reason = null;
        lock (_gate)
        {
            if (_stopping || _busy < _options.MaxThreads)
            {
                _stallSince = 0;
                return;
            }
            var now = Environment.TickCount64;
            if (_stallSince == 0 || _completed != _stallCompleted)
            {
                _stallSince = now;
                _stallCompleted = _completed;
                return;
            }
            if (now - _stallSince >= _options.StallAbortSecs * 1000L)
                reason = $"all {_options.MaxThreads} sync handler threads busy and none finished for {(now - _stallSince) / 1000} s " +
                         $"(handler_stall_abort_secs: {_options.StallAbortSecs}), {_queue.Count} queued";
        }
        if (reason is not null) _onStall(reason);
    }
}
