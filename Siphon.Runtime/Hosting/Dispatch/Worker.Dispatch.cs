// Dispatching one request on the worker: call the chain (straight, or through the middleware runner),
// answer a plain result at once, turn a coroutine into an asyncio task whose done-callback answers,
// and run plain functions of an async chain on the SyncPool (FutureJob).
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting;

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
        using var req = PyOwned.Adopt(BoundObject.Alloc(_requestType, p.Request));
        var version = p.Version;
        var handler = version.Handlers[p.HandlerId].Handle;
        nint result;
        if (version.Middleware is null)
            result = CApi.PyObject_CallOneArg(handler, req.Handle);
        else if (onLoop)
        {
            var args = stackalloc nint[4] { version.Middleware.Handle, handler, version.HandlerSync[p.HandlerId] ? Py.True : Py.False, req.Handle };
            result = CApi.PyObject_Vectorcall((version.Wraps ? _runWrappedChain : _runChain)!.Handle, args, 4, 0);
        }
        else
        {
            var args = stackalloc nint[3] { version.Middleware.Handle, handler, req.Handle };
            result = CApi.PyObject_Vectorcall((version.Wraps ? _runWrappedSyncChain : _runSyncChain)!.Handle, args, 3, 0);
        }
        Answer(p, result, onLoop);
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
        using var r = PyOwned.Adopt(result);
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
            using var setException = PyObjects.GetAttr(future.Handle, "set_exception");
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
            if (!PyObjects.CallIsTrue(future.Handle, "done")) // not cancelled meanwhile (its request timed out)
            {
                var r = CApi.PyObject_CallOneArg(fn.Handle, arg.Handle);
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
                if (PyObjects.CallIsTrue(future.Handle, "done")) return;
                if (_result is not null)
                {
                    using var set = PyObjects.GetAttr(future.Handle, "set_result");
                    using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(set.Handle, _result.Handle));
                }
                else
                {
                    using var message = PyOwned.Adopt(PyConvert.ToPy("the sync pool is shutting down"));
                    using var exc = _error is not null ? _error.Borrow().NewReference()
                        : PyOwned.Checked(CApi.PyObject_CallOneArg(Py.RuntimeError, message.Handle));
                    using var set = PyObjects.GetAttr(future.Handle, "set_exception");
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
        using var task = PyOwned.Adopt(t);
        if (PyObjects.CallIsTrue(task.Handle, "done"))
        {
            Finish(p, task.Handle); // eager task factory: it already ran to completion
            return;
        }
        using var addDone = PyObjects.GetAttr(task.Handle, "add_done_callback");
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
        if (PyObjects.CallIsTrue(task, "cancelled"))
        {
            p.Fail("cancelled");
            return;
        }
        using (var getException = PyObjects.GetAttr(task, "exception"))
        using (var exc = PyOwned.Checked(CApi.PyObject_CallNoArgs(getException.Handle)))
        {
            if (!PyConvert.IsNone(exc.Handle) && CApi.PyObject_IsInstance(exc.Handle, _overloaded!.Handle) == 1)
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
        using var getResult = PyObjects.GetAttr(task, "result");
        using var result = PyOwned.Checked(CApi.PyObject_CallNoArgs(getResult.Handle));
        if (CApi.Py_TYPE(result.Handle) == _responseType) p.Complete(BoundObject.Get<Response>(result.Handle));
        else BadResult(p, result.Handle);
    }

    private void BadResult(PendingRequest p, nint result)
    {
        _scriptLog.LogError("{Method} {Path} ({Route}): handler returned {Type}, not http.Response", p.Request.Method, p.Request.Path, p.Route, PyConvert.TypeNameOf(result));
        p.Fail("bad result");
    }
}
