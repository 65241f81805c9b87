// One loaded version of the script in one worker: its routing table, handlers, middleware chain
// (and its wrappers, if any) and on_shutdown hooks, and the module they live in. A request enters the worker's current
// version once (RequestHandler) and is served by it to the end, so a live reload never mixes two
// versions in one request. A version that a reload replaces is retired: once its last request has
// left, the worker runs its on_shutdown hooks and drops its references (docs/reload.md).
using Siphon.Runtime.Python;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed class ScriptVersion
{
    private int _inflight, _retired, _drained;
    private Action? _onDrained;

    /// <summary>Takes over <paramref name="loaded"/>'s handlers, middleware, shutdown hooks and
    /// module (its startup hooks and saved modules stay the caller's).</summary>
    internal ScriptVersion(int number, RouteTable routes, string routeSignature, LoadedScript loaded)
    {
        Number = number;
        Routes = routes;
        RouteSignature = routeSignature;
        Handlers = loaded.Routes.Select(r => r.Handler).ToArray();
        HandlerSync = loaded.Routes.Select(r => r.Sync).ToArray();
        _handlerStream = loaded.Routes.Select(r => r.Stream).ToArray();
        _handlerWebSocket = loaded.Routes.Select(r => r.WebSocket).ToArray();
        ChainSync = loaded.Routes.Select(r => r.ChainSync).ToArray();
        Middleware = loaded.Middleware;
        MiddlewareCount = loaded.MiddlewareCount;
        Wrappers = loaded.Wrappers;
        WrappersSync = loaded.WrappersSync;
        ShutdownHooks = loaded.Shutdown;
        Module = loaded.Module;
        Files = loaded.Files;
    }

    /// <summary>1 for the version loaded at start-up, then one more per reload taken.</summary>
    public int Number { get; }

    public RouteTable Routes { get; }

    /// <summary>What the script registered (patterns, methods, handler order, lines), to check that
    /// every worker's table is the same.</summary>
    internal string RouteSignature { get; }

    // Python objects: touched on the worker's threads only (the loop or its sync pool).
    private readonly bool[] _handlerStream;

    /// <summary>The handler's route was registered with stream=True: it is dispatched before its
    /// body is read. Any thread.</summary>
    public bool StreamsBody(int handlerId) => _handlerStream[handlerId];

    private readonly bool[] _handlerWebSocket;

    /// <summary>The handler's route was registered with @http.websocket: it serves upgrades only. Any thread.</summary>
    public bool IsWebSocket(int handlerId) => _handlerWebSocket[handlerId];

    internal PyRef[] Handlers { get; }
    internal bool[] HandlerSync { get; }
    internal bool[] ChainSync { get; }
    internal PyRef? Middleware { get; } // ((fn, is_sync), ...), (fn, is_sync, wraps) triples with a wrapper, or null when the script registered none
    internal PyRef? Wrappers { get; } // ((fn, is_sync, True), ...): the wrappers alone, or null without any
    internal bool WrappersSync { get; } // every wrapper is a plain function: host answers run on the sync pool
    internal int MiddlewareCount { get; }

    /// <summary>This version registered a wrapper: its chains run through the wrapping runners and
    /// the host's own answers (404, 405, 413) go through its wrappers.</summary>
    public bool Wraps => Wrappers is not null;
    internal PyRef ShutdownHooks { get; }
    internal PyRef Module { get; }

    /// <summary>The script and the local modules it imported: what a live reload watches.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Requests that entered this version and are not answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inflight);

    /// <summary>Counts a request in; false once the version is retired (take the worker's new one).
    /// Any thread.</summary>
    internal bool TryEnter()
    {
        Interlocked.Increment(ref _inflight);
        if (Volatile.Read(ref _retired) == 0) return true;
        Leave();
        return false;
    }

    /// <summary>A request that entered has been answered (or never reached Python). Any thread.</summary>
    internal void Leave()
    {
        // Interlocked operations are full fences: either Retire sees this request counted, or the
        // request sees the version retired and leaves (running onDrained if it was the last).
        if (Interlocked.Decrement(ref _inflight) == 0 && Volatile.Read(ref _retired) == 1) Drained();
    }

    /// <summary>No new request enters; <paramref name="onDrained"/> runs once the last one has left
    /// (at once when none is in flight), on whatever thread that happens.</summary>
    internal void Retire(Action onDrained)
    {
        _onDrained = onDrained;
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inflight) == 0) Drained();
    }

    private void Drained()
    {
        if (Interlocked.Exchange(ref _drained, 1) == 0) _onDrained!();
    }

    /// <summary>Drops the Python references (worker thread, GIL held).</summary>
    internal void DisposeReferences()
    {
        foreach (var h in Handlers) h.Dispose();
        Middleware?.Dispose();
        Wrappers?.Dispose();
        ShutdownHooks.Dispose();
        Module.Dispose();
        // A module's globals and its functions refer to each other: the version is cyclic garbage
        // that CPython's generational collector may leave for a long time (it has lived long enough
        // to be in the oldest generation). Collected now, its memory is reused by the next version
        // instead of the process growing with every live reload.
        PyObjects.CollectGarbage();
    }
}
