// Wrap-around middleware on the worker: a script that registered a (req, call_next) middleware has
// every chain run by _host's wrapping runners (swapped in at load, so Dispatch and DispatchSync
// stay as they are and a script without a wrapper pays nothing), and the requests the host would
// answer itself (404, 405, 413) pass through its wrappers, guards skipped, with the host's answer
// at the end of the chain in place of a handler (SubmitAnswer / AnswerJob).
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Hosting;

public sealed unsafe partial class Worker
{
    private PyRef? _wrappers; // ((fn, is_sync, True), ...): the wrappers alone, or null without any
    private bool _wrappersSync;

    /// <summary>True when the script registered a wrapper: the host's own answers go through it.</summary>
    public bool Wraps => _wrappers is not null;

    private static bool AnyWrapper(nint middleware)
    {
        for (nint i = 0, m = CApi.PyList_Size(middleware); i < m; i++)
            if (CApi.PyTuple_GetItem(CApi.PyList_GetItem(middleware, i), 1) == Py.True) return true;
        return false;
    }

    /// <summary>After _middleware holds (fn, is_sync, wraps) triples: the wrapping runners take over,
    /// and the wrappers alone are kept for the host's answers.</summary>
    private void UseWrappingRunners()
    {
        _runChain!.Dispose();
        _runSyncChain!.Dispose();
        _runChain = Attr(_host!.Handle, "run_wrapped_chain").ToRef();
        _runSyncChain = Attr(_host.Handle, "run_wrapped_sync_chain").ToRef();
        var all = _middleware!.Handle;
        var wrappers = new List<nint>();
        _wrappersSync = true;
        for (nint i = 0, m = CApi.PyTuple_Size(all); i < m; i++)
        {
            var triple = CApi.PyTuple_GetItem(all, i);
            if (CApi.PyTuple_GetItem(triple, 2) != Py.True) continue;
            wrappers.Add(triple);
            _wrappersSync &= CApi.PyTuple_GetItem(triple, 1) == Py.True;
        }
        using var tuple = PyOwned.Checked(CApi.PyTuple_New(wrappers.Count));
        for (var i = 0; i < wrappers.Count; i++)
        {
            CApi.Py_IncRef(wrappers[i]);
            CApi.PyTuple_SetItem(tuple.Handle, i, wrappers[i]);
        }
        _wrappers = tuple.ToRef();
    }

    /// <summary>A request the host answers itself (<see cref="PendingRequest.HostAnswer"/>), sent
    /// through the wrappers: on the sync pool when they are all plain functions, else on the loop.
    /// Any thread, no GIL.</summary>
    public void SubmitAnswer(PendingRequest request)
    {
        Interlocked.Increment(ref _outstanding);
        var job = new AnswerJob(request);
        if (!_wrappersSync) _inbox.Post(job);
        else if (!_pool!.TrySubmit(job)) request.Fail("sync queue full", 503);
    }

    private void DispatchAnswer(PendingRequest p, bool onLoop)
    {
        using var req = PyOwned.Steal(BoundObject.Alloc(_requestType, p.Request));
        using var answer = PyOwned.Steal(BoundObject.Alloc(_responseType, p.HostAnswer!));
        nint result;
        if (onLoop)
        {
            var args = stackalloc nint[5] { _wrappers!.Handle, Py.None, Py.True, req.Handle, answer.Handle };
            result = CApi.PyObject_Vectorcall(_runChain!.Handle, args, 5, 0);
        }
        else
        {
            var args = stackalloc nint[4] { _wrappers!.Handle, Py.None, req.Handle, answer.Handle };
            result = CApi.PyObject_Vectorcall(_runSyncChain!.Handle, args, 4, 0);
        }
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
