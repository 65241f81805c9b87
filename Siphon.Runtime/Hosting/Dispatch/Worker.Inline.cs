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
// compare-and-swap queues the request on the inbox: the borrower runs it after its own (it looks at
// the inbox after giving the interpreter back), or the loop, woken; so no Kestrel thread ever waits.
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Native;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using PythonEngine = global::Python.Runtime.PythonEngine;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed unsafe partial class Worker
{
    private long _ranInline, _ranBehind;

    /// <summary>Requests this worker's interpreter ran on a Kestrel thread, not the loop: the one the
    /// thread read, or one posted behind it while it held the interpreter (tests, the shutdown line).</summary>
    internal long InlineRuns => Interlocked.Read(ref _ranInline);

    /// <summary>Of <see cref="InlineRuns"/>, those posted by another Kestrel thread behind a borrower.</summary>
    internal long RanBehind => Interlocked.Read(ref _ranBehind);

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

    private RunBehindWork? _runBehind;
    private RunBehindWork RunBehind => _runBehind ??= new RunBehindWork(this);

    /// <summary>Requests left queued behind a borrower that ran its share: run by a thread-pool
    /// thread as a borrower would (or left to whoever holds the interpreter, or the loop, woken).</summary>
    private sealed class RunBehindWork(Worker worker) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            if (worker._inbox.Depth <= 0) return;
            if (worker._token.TryBorrow()) worker.RunWhileBorrowed(null);
            else if (!worker._token.IsBorrowed) worker._inbox.Wake();
        }
    }

    // How many requests queued behind a borrower it runs before giving the interpreter back for
    // good, at most: each delays its own answer (written after it returns) and those of the
    // requests it ran (their continuations wait in its queue).
    private const int MaxRunBehind = 16;

    /// <summary>A Kestrel thread, a request with an async chain: run here if the interpreter can be
    /// borrowed without waiting; else queued, and run by the thread that holds the interpreter
    /// borrowed (it looks at the inbox after giving it back), by this thread if the interpreter is
    /// parked by then, or by the loop, woken. Never waits.</summary>
    private void SubmitAsync(PendingRequest p)
    {
        var inline = HopCost.Mode == 0;
        if (inline && _token.TryBorrow())
        {
            RunWhileBorrowed(p);
            return;
        }
        var wakeOwed = _inbox.Enqueue(p);
        // The count was raised (a full fence) before this read, and a borrower reads the count after
        // its Return (another): either this sees the borrow, or the borrower sees the request.
        if (_token.IsBorrowed) return;
        if (inline && _token.TryBorrow())
        {
            RunWhileBorrowed(null);
            return;
        }
        if (wakeOwed) _inbox.Wake();
    }

    /// <summary>With the token borrowed: runs <paramref name="first"/> and the requests queued behind
    /// it, giving the interpreter back after each batch and borrowing it again while requests wait
    /// (no more than <see cref="MaxRunBehind"/> of them); leaves the rest to a thread-pool work item
    /// that does the same, or to the loop, woken, when other work heads the inbox.</summary>
    private void RunWhileBorrowed(PendingRequest? first)
    {
        var budget = MaxRunBehind;
        while (true)
        {
            var left = budget;
            var wake = RunBorrowed(first, ref budget);
            _token.Return();
            var ranNone = first is null && budget == left;
            first = null;
            // After the Return (a full fence): a request queued while this thread held the
            // interpreter did not wake the loop, so this thread runs it, or wakes the loop (when
            // other work waits at the inbox's head, or this thread has run its share).
            if (_inbox.Depth <= 0 && !wake) return;
            if (wake || ranNone || !_inbox.HeadIs<PendingRequest>())
            {
                _inbox.Wake();
                return;
            }
            if (budget == 0)
            {
                // This thread has run its share: it goes on to write its own answer (and those of
                // the requests it ran, whose continuations it queued), and a thread-pool thread
                // runs the rest (the global queue, so after this thread's own work, or on another).
                ThreadPool.UnsafeQueueUserWorkItem(RunBehind, preferLocal: false);
                return;
            }
            if (!_token.TryBorrow())
            {
                if (!_token.IsBorrowed) _inbox.Wake(); // another borrower looks at the inbox after it
                return;
            }
        }
    }

    /// <summary>With the token borrowed: takes the GIL (free), runs <paramref name="first"/> (if any)
    /// and then the requests at the inbox's head, and lets go of the GIL. True when the loop must be
    /// woken (a task suspended, or callbacks were left for it).</summary>
    private bool RunBorrowed(PendingRequest? first, ref int budget)
    {
        var wake = false;
        var before = System.Diagnostics.Stopwatch.GetTimestamp();
        _interpreter!.AttachBorrower();
        _token.RecordTake(System.Diagnostics.Stopwatch.GetTimestamp() - before);
        var loopHost = AsyncBridge.Current;
        AsyncBridge.Current = this; // bound async calls (http.Client) resolve through this worker's loop
        try
        {
            using var worker = Telemetry.WorkerLog.For(Index); // the script's lines on this thread name this worker
            if (first is not null) wake |= RunOne(first);
            for (; budget > 0 && _inbox.TakeHead<PendingRequest>() is { } behind; budget--)
            {
                Interlocked.Increment(ref _ranBehind);
                behind.CompleteViaPool = true;
                try { wake |= RunOne(behind); }
                finally { behind.CompleteViaPool = false; } // a task that suspended is answered by the loop
            }
        }
        finally
        {
            try { _token.Foreign = _host!.ForeignThreads(); }
            catch (PythonException) { _token.Foreign = true; }
            AsyncBridge.Current = loopHost;
            PyInterpreter.DetachBorrower();
        }
        return wake;
    }

    /// <summary>One request on the borrowing thread; true when the loop must be woken.</summary>
    private bool RunOne(PendingRequest p)
    {
        Interlocked.Increment(ref _ranInline);
        try
        {
            p.MarkDispatched();
            using var trace = Telemetry.ScriptTrace.Enter(p.Request); // the task the first step makes copies it
            return RunInline(p);
        }
        catch (Exception e)
        {
            PyErrors.Clear();
            _log.LogError(e, "a request run on its own thread failed");
            p.Fail(e.Message);
            return true;
        }
    }

    /// <summary>The chain called and its first step run on this thread; true when the loop must be
    /// woken (the task suspended, or the step left callbacks for the loop).</summary>
    private bool RunInline(PendingRequest p)
    {
        if (!Settle(p, Call(p, onLoop: true), out var r)) return false;
        using (r)
        {
            using var step = _host!.FirstStep(_loop!.Handle, r.Handle, out var wake, out var finished);
            if (!finished) FinishOrTrack(p, step.Handle);
            else if (PyObjects.TypeOf(step.Handle) == _responseType) p.Complete(BoundObject.Get<Response>(step.Handle));
            else BadResult(p, step.Handle);
            return wake;
        }
    }
}
