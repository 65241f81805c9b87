// Run to completion on the thread that read the request (docs/architecture.md, "Threading model").
// The worker's loop waits in one place, its selector (siphon/_host/parking.py), whose wait is Park
// here: it lets go of the GIL and marks the interpreter parked in the InterpreterToken. A Kestrel
// thread whose request has an async chain then tries to borrow the interpreter with one
// compare-and-swap; if it wins (the loop parked, no sync pool thread in Python, no thread the host
// does not know), the GIL is free, so it takes it without waiting, runs the chain's first step
// itself (first_step: the task's first step, eager on 3.12+, run by hand on 3.11) and, when that
// finished, completes the request, so its own continuation writes the answer: no wake-up of the
// loop and no hop to another thread. A chain that suspended is left to the loop as a task (its
// done-callback answers, as for a posted request), and the loop is woken. A thread that loses the
// compare-and-swap posts the request to the inbox as before; so no Kestrel thread ever waits.
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Native;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using PythonEngine = global::Python.Runtime.PythonEngine;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed unsafe partial class Worker
{
    /// <summary>Requests this worker ran on the thread that read them (tests, metrics).</summary>
    internal long InlineRuns => _token.Borrows;

    // The loop's selector, (epoll fd, timeout in s or -1): let go of the GIL, park, wait for an
    // event or the timeout, take the interpreter back (after a borrower, if one holds it), then the GIL.
    private nint Park(nint args)
    {
        var fd = PyConvert.ToInt32(PyObjects.TupleItem(args, 0), "fd");
        var timeout = PyConvert.ToDouble(PyObjects.TupleItem(args, 1), "timeout");
        var ms = timeout < 0 ? -1 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout * 1000));
        _token.Foreign = _host!.ForeignThreads();
        var tstate = PythonEngine.BeginAllowThreads();
        _token.Park();
        var events = stackalloc byte[16]; // one struct epoll_event (12 bytes, packed)
        Libc.EpollWait(fd, events, 1, ms); // EINTR or an error: the loop's own select(0) sees what is ready
        _token.Unpark();
        PythonEngine.EndAllowThreads(tstate);
        return PyConvert.None();
    }

    /// <summary>A Kestrel thread: runs the request's chain here if the interpreter can be borrowed
    /// without waiting; false (nothing done) when it cannot, and the caller posts it.</summary>
    private bool TryRunInline(PendingRequest p)
    {
        if (HopCost.Mode != 0 || !_token.TryBorrow()) return false;
        var wake = false;
        var before = System.Diagnostics.Stopwatch.GetTimestamp();
        _interpreter!.AttachBorrower();
        _token.RecordTake(System.Diagnostics.Stopwatch.GetTimestamp() - before);
        var loopHost = AsyncBridge.Current;
        AsyncBridge.Current = this; // bound async calls (http.Client) resolve through this worker's loop
        try
        {
            p.MarkDispatched();
            using var worker = Telemetry.WorkerLog.For(Index); // the script's lines on this thread name this worker
            using var trace = Telemetry.ScriptTrace.Enter(p.Request); // the task the first step makes copies it
            wake = RunInline(p);
        }
        catch (Exception e)
        {
            PyErrors.Clear();
            _log.LogError(e, "a request run on its own thread failed");
            p.Fail(e.Message);
            wake = true;
        }
        finally
        {
            try { _token.Foreign = _host!.ForeignThreads(); }
            catch (PythonException) { _token.Foreign = true; }
            AsyncBridge.Current = loopHost;
            PyInterpreter.DetachBorrower();
            _token.Return();
            if (wake) _inbox.Wake();
        }
        return true;
    }

    /// <summary>The chain called and its first step run on this thread; true when the loop must be
    /// woken (the task suspended, or the step left callbacks for the loop).</summary>
    private bool RunInline(PendingRequest p)
    {
        if (!Settle(p, Call(p, onLoop: true), out var r)) return false;
        using (r)
        {
            using var step = _host!.FirstStep(_loop!.Handle, r.Handle, out var wake, out var finished);
            if (finished) AnswerWith(p, step.Handle);
            else FinishOrTrack(p, step.Handle);
            return wake;
        }
    }
}
