// Dispatching one request on the worker: call the chain (straight, or through the middleware runner),
// answer a plain result at once, turn a coroutine into an asyncio task whose done-callback answers,
// and run plain functions of an async chain on the SyncPool (FutureJob).
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed unsafe partial class Worker
{
    internal void Dispatch(PendingRequest p) => CallChain(p, onLoop: true);

    /// <summary>An all-sync chain, on a sync pool thread with the GIL held. A coroutine the handler
    /// returns (a plain function wrapping an async one) is run on the loop.</summary>
    internal void DispatchSync(PendingRequest p) => CallChain(p, onLoop: false);

    /// <summary>Calls the request's chain in its version: the handler alone, or through the loop's
    /// runner (which takes the handler's is-sync flag) or the pool's (all plain, so it needs none).</summary>
    private void CallChain(PendingRequest p, bool onLoop)
    {
        if (HopCost.Mode == 2) { p.Complete(HopCost.Canned); return; }
        using var trace = Telemetry.ScriptTrace.Enter(p.Request); // the coroutine's task copies it
        Answer(p, Call(p, onLoop), onLoop);
    }

    /// <summary>The request's chain called: a new reference (a Response, or an awaitable), or 0
    /// with the handler's error set.</summary>
    private nint Call(PendingRequest p, bool onLoop)
    {
        // A websocket route's chain gets the socket, which has the request's members.
        using var req = PyOwned.Adopt(p.Request.Socket is { } socket ? BoundObject.Wrap(socket) : BoundObject.Alloc(_requestType, p.Request));
        var version = p.Version;
        var handler = version.Handlers[p.HandlerId].Handle;
        if (version.Middleware is not { } middleware)
            return HostPackage.CallHandler(handler, req.Handle);
        if (onLoop)
            return version.Wraps
                ? _host!.RunWrappedChain(middleware.Handle, handler, version.HandlerSync[p.HandlerId], req.Handle)
                : _host!.RunChain(middleware.Handle, handler, version.HandlerSync[p.HandlerId], req.Handle);
        return version.Wraps
            ? _host!.RunWrappedSyncChain(middleware.Handle, handler, req.Handle)
            : _host!.RunSyncChain(middleware.Handle, handler, req.Handle);
    }

    /// <summary>What a chain returned (a new reference, or 0 after raising): the answer, or a task
    /// on the loop for an awaitable (posted there from a pool thread).</summary>
    private void Answer(PendingRequest p, nint result, bool onLoop)
    {
        if (!Settle(p, result, out var r)) return;
        using (r)
        {
            if (onLoop)
            {
                StartTask(p, r.Handle);
                return;
            }
            var awaitable = r.Borrow().NewReference().ToRef();
            Post(new ActionWork(() =>
            {
                using var trace = Telemetry.ScriptTrace.Enter(p.Request);
                try { StartTask(p, awaitable.Handle); }
                finally { awaitable.Dispose(); }
            }));
        }
    }

    /// <summary>What a chain returned (a new reference, or 0 after raising), taken over: answered
    /// here when it is a Response, an error or not an awaitable (false); else the awaitable, whose
    /// task the caller starts (true, <paramref name="awaitable"/> owns the reference).</summary>
    private bool Settle(PendingRequest p, nint result, out PyOwned awaitable)
    {
        awaitable = PyOwned.Adopt(0);
        if (result == 0)
        {
            HandlerRaised(p);
            return false;
        }
        using var r = PyOwned.Adopt(result);
        if (PyObjects.TypeOf(r.Handle) == _responseType)
        {
            p.Complete(BoundObject.Get<Response>(r.Handle));
            return false;
        }
        if (PyObjects.TypeOf(r.Handle) != _coroutineType && !PyObjects.HasAttr(r.Handle, "__await__"))
        {
            BadResult(p, r.Handle);
            return false;
        }
        awaitable = PyOwned.Adopt(r.Steal());
        return true;
    }

    private void HandlerRaised(PendingRequest p)
    {
        using var exc = PyOwned.Adopt(PyErrors.FetchException());
        if (ScriptHelpers.AnswerFor(exc.Handle) is { } answer) // http.HTTPException: its own answer
        {
            p.Complete(answer);
            return;
        }
        _scriptLog.LogError("{Method} {Path} ({Route}): handler raised\n{Traceback}", p.Request.Method, p.Request.Path, p.Route, PyErrors.FormatTraceback(exc.Handle).TrimEnd());
        Telemetry.SiphonMetrics.PythonExceptions.Add(1, new KeyValuePair<string, object?>("route", p.Route));
        p.Fail("handler raised");
    }

    // Host.submit((fn, arg)) of siphon._host, loop thread: a future of fn(arg) run on the sync
    // pool. A full queue resolves it with siphon._host.Overloaded, which Finish turns into a 503.
    private nint SubmitSync(nint args)
    {
        using var future = PyOwned.Checked(CreateFuture());
        var job = new FutureJob(this, future.Borrow().NewReference().ToRef(),
            new PyBorrowed(PyObjects.TupleItem(args, 0)).NewReference().ToRef(),
            new PyBorrowed(PyObjects.TupleItem(args, 1)).NewReference().ToRef(),
            Telemetry.ScriptTrace.Capture());
        if (!_pool!.TrySubmit(job))
        {
            job.Dispose();
            using var exc = _host!.NewOverloaded();
            PyAsyncio.SetException(future.Handle, exc.Handle);
        }
        return future.Steal();
    }

    /// <summary>One plain function of a mixed chain: runs on a pool thread, resolves its future on the loop.</summary>
    private sealed class FutureJob(Worker worker, PyRef future, PyRef fn, PyRef arg, PyRef? trace) : ISyncJob, IPyWork
    {
        private PyRef? _result, _error;

        public bool Abandoned => false;

        public void RunSync()
        {
            if (!PyAsyncio.IsDone(future.Handle)) // not cancelled meanwhile (its request timed out)
            {
                using var traced = Telemetry.ScriptTrace.Enter(trace); // the request the loop's task was serving
                var r = PyObjects.CallRaw(fn.Handle, arg.Handle);
                if (r != 0) _result = new PyRef(r);
                else _error = new PyRef(PyErrors.FetchException());
            }
            worker.Post(this);
        }

        public void Drop(string reason) => worker.Post(this);

        // Loop thread: resolve the future (unless it was cancelled) and drop the references.
        public void Run()
        {
            try
            {
                if (PyAsyncio.IsDone(future.Handle)) return;
                if (_result is not null) PyAsyncio.SetResult(future.Handle, _result.Handle);
                else if (_error is not null) PyAsyncio.SetException(future.Handle, _error.Handle);
                else
                {
                    using var exc = PyAsyncio.NewRuntimeError("the sync pool is shutting down");
                    PyAsyncio.SetException(future.Handle, exc.Handle);
                }
            }
            finally { Dispose(); }
        }

        public void Dispose()
        {
            foreach (var r in new[] { future, fn, arg, _result, _error, trace }) r?.Dispose();
        }
    }

    private void StartTask(PendingRequest p, nint awaitable)
    {
        var factory = PyObjects.TypeOf(awaitable) == _coroutineType ? _createTask! : _ensureFuture!;
        var t = PyObjects.CallRaw(factory.Handle, awaitable);
        if (t == 0)
        {
            var e = PyErrors.Fetch();
            _scriptLog.LogError("{Method} {Path}: could not schedule the handler\n{Traceback}", p.Request.Method, p.Request.Path, e.PythonTraceback.TrimEnd());
            p.Fail("could not schedule");
            return;
        }
        using var task = PyOwned.Adopt(t);
        FinishOrTrack(p, task.Handle);
    }

    /// <summary>A task whose first step has run: its answer now if it is done (an eager task that
    /// never suspended), else its done-callback answers later, on the loop.</summary>
    private void FinishOrTrack(PendingRequest p, nint task)
    {
        if (PyAsyncio.IsDone(task))
        {
            Finish(p, task);
            return;
        }
        PyAsyncio.AddDoneCallback(task, _onTaskDone!.Handle);
        _inflight[task] = p;
        p.PyTask = new PyBorrowed(task).NewReference().ToRef();
    }

    private nint OnTaskDone(nint task)
    {
        if (_inflight.Remove(task, out var p))
        {
            p.PyTask?.Dispose();
            p.PyTask = null;
            using var traced = Telemetry.Tracing.Use(p.Request.Trace); // for Finish's log lines
            Finish(p, task);
        }
        return PyConvert.None();
    }

    private void Finish(PendingRequest p, nint task)
    {
        if (PyAsyncio.IsCancelled(task))
        {
            p.Fail("cancelled");
            return;
        }
        using (var exc = PyAsyncio.Exception(task))
        {
            if (!PyConvert.IsNone(exc.Handle) && _host!.IsOverloaded(exc.Handle))
            {
                p.Fail("sync queue full", 503);
                return;
            }
            if (!PyConvert.IsNone(exc.Handle) && ScriptHelpers.AnswerFor(exc.Handle) is { } answer)
            {
                p.Complete(answer); // http.HTTPException: its own answer
                return;
            }
            if (!PyConvert.IsNone(exc.Handle))
            {
                _scriptLog.LogError("{Method} {Path} ({Route}): handler raised\n{Traceback}", p.Request.Method, p.Request.Path, p.Route, PyErrors.FormatTraceback(exc.Handle).TrimEnd());
                Telemetry.SiphonMetrics.PythonExceptions.Add(1, new KeyValuePair<string, object?>("route", p.Route));
                p.Fail("handler raised");
                return;
            }
        }
        using var result = PyAsyncio.Result(task);
        AnswerWith(p, result.Handle);
    }

    /// <summary>What a finished chain returned (borrowed): its Response, or a 500 for anything else.</summary>
    private void AnswerWith(PendingRequest p, nint result)
    {
        if (PyObjects.TypeOf(result) == _responseType) p.Complete(BoundObject.Get<Response>(result));
        else BadResult(p, result);
    }

    private void BadResult(PendingRequest p, nint result)
    {
        _scriptLog.LogError("{Method} {Path} ({Route}): handler returned {Type}, not http.Response", p.Request.Method, p.Request.Path, p.Route, PyConvert.TypeNameOf(result));
        p.Fail("bad result");
    }
}
