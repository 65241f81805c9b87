// One request on its way through the worker: posted by a Kestrel thread, dispatched on the worker's
// loop (async chain) or on a thread of its sync pool (all-sync chain), completed through a
// TaskCompletionSource whose continuations run on the thread pool (never inline on the worker).
// While an async handler runs, PyTask holds its asyncio task so a timeout can cancel it; a sync
// request that times out is marked abandoned, so a pool thread skips it if it has not started.
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Hosting.Dispatch;

/// <summary>The handler raised, returned the wrong thing, or was cancelled: the answer is a 500
/// (503 when the sync pool's queue was full).</summary>
public sealed class HandlerFailedException(string reason, int status = 500) : Exception(reason)
{
    public int Status { get; } = status;
}

public sealed class PendingRequest(Worker worker, ScriptVersion version, Request request, int handlerId, string route) : IPyWork, ISyncJob
{
    private volatile bool _abandoned;

    private readonly TaskCompletionSource<Response> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The worker this request was posted to.</summary>
    public Worker Worker { get; } = worker;
    /// <summary>The script version that serves it, start to end (entered by RequestHandler).</summary>
    public ScriptVersion Version { get; } = version;
    public Request Request { get; } = request;
    public int HandlerId { get; } = handlerId;
    /// <summary>The matched route pattern, for log lines.</summary>
    public string Route { get; } = route;
    public Task<Response> Task => _tcs.Task;

    /// <summary>The host's own answer (404, 405, 413) for a script with wrappers: it goes through
    /// them (Worker.SubmitAnswer) in place of the route; null for a routed request.</summary>
    public Response? HostAnswer { get; init; }

    /// <summary>The asyncio task of an async handler while it runs (worker thread only).</summary>
    internal PyRef? PyTask { get; set; }

    // When a worker began running it, for siphon.worker.handler.duration (0: not started, or not measured).
    private long _dispatched;

    public void Run()
    {
        MarkDispatched();
        Worker.Dispatch(this);
    }

    /// <summary>A worker (or a thread that borrowed its interpreter) begins running it.</summary>
    internal void MarkDispatched()
    {
        if (Telemetry.SiphonMetrics.Enabled) _dispatched = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    void ISyncJob.RunSync()
    {
        if (Telemetry.SiphonMetrics.Enabled) _dispatched = System.Diagnostics.Stopwatch.GetTimestamp();
        Worker.DispatchSync(this);
    }

    private void Done()
    {
        Worker.RequestDone();
        Version.Leave();
        if (_dispatched != 0)
            Telemetry.SiphonMetrics.HandlerDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(_dispatched).TotalSeconds,
                Worker.MetricsTag);
    }

    bool ISyncJob.Abandoned => _abandoned;

    void ISyncJob.Drop(string reason) => Fail(reason);

    /// <summary>Its answer (504) has been written; a sync job not yet started is skipped.</summary>
    internal void Abandon() => _abandoned = true;

    internal void Complete(Response response)
    {
        if (_tcs.TrySetResult(response)) Done();
    }

    internal void Fail(string reason, int status = 500)
    {
        if (_tcs.TrySetException(new HandlerFailedException(reason, status))) Done();
    }
}

/// <summary>Cancels the asyncio task of a request whose time ran out.</summary>
internal sealed class CancelRequestWork(PendingRequest pending) : IPyWork
{
    public void Run()
    {
        if (pending.PyTask is not { } task) return;
        PyAsyncio.Cancel(task.Handle);
    }
}

internal sealed class ActionWork(Action action) : IPyWork
{
    public void Run() => action();
}
