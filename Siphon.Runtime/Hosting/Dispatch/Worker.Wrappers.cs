// Wrap-around middleware on the worker: a script version that registered a (req, call_next)
// middleware has every chain run by _host's wrapping runners (Dispatch picks them by the version
// the request entered, so a script without a wrapper pays nothing and a live reload may add or
// remove wrappers), and the requests the host would
// answer itself (404, 405, 413) pass through its wrappers, guards skipped, with the host's answer
// at the end of the chain in place of a handler (SubmitAnswer / AnswerJob).
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed unsafe partial class Worker
{
    /// <summary>A request the host answers itself (<see cref="PendingRequest.HostAnswer"/>), sent
    /// through the wrappers: on the sync pool when they are all plain functions, else on the loop.
    /// Any thread, no GIL.</summary>
    public void SubmitAnswer(PendingRequest request)
    {
        Interlocked.Increment(ref _outstanding);
        var job = new AnswerJob(request);
        if (!request.Version.WrappersSync) _inbox.Post(job);
        else if (!_pool!.TrySubmit(job)) request.Fail("sync queue full", 503);
    }

    private void DispatchAnswer(PendingRequest p, bool onLoop)
    {
        using var trace = Telemetry.ScriptTrace.Enter(p.Request);
        using var req = PyOwned.Adopt(BoundObject.Alloc(_requestType, p.Request));
        using var answer = PyOwned.Adopt(BoundObject.Alloc(_responseType, p.HostAnswer!));
        var wrappers = p.Version.Wrappers!.Handle; // the wrappers of the version the request entered
        var result = onLoop
            ? _host!.RunWrappedChain(wrappers, PyBuiltins.None, handlerSync: true, req.Handle, answer.Handle)
            : _host!.RunWrappedSyncChain(wrappers, PyBuiltins.None, req.Handle, answer.Handle);
        Answer(p, result, onLoop);
    }

    /// <summary>A host answer on its way through the wrappers: the loop's work item or the sync
    /// pool's job, standing for its <see cref="PendingRequest"/>.</summary>
    private sealed class AnswerJob(PendingRequest p) : IPyWork, ISyncJob
    {
        public void Run()
        {
            try { p.Worker.DispatchAnswer(p, onLoop: true); }
            catch (Exception e)
            {
                p.Fail(e.Message); // the worker's RunWork logs it; the request must not wait for its timeout
                throw;
            }
        }

        void ISyncJob.RunSync() => p.Worker.DispatchAnswer(p, onLoop: false);

        bool ISyncJob.Abandoned => ((ISyncJob)p).Abandoned;

        void ISyncJob.Drop(string reason) => p.Fail(reason);
    }
}
