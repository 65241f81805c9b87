// The one ownership word of a worker's interpreter, which every party that runs its Python goes
// through (docs/architecture.md, "Threading model"), so that a Kestrel thread can take the
// interpreter to run a request itself without ever waiting for it: CPython has no try-acquire for
// the GIL, and a thread asking for a GIL another thread holds while running bytecode sleeps up to
// the switch interval (5 ms).
//   Running:  the loop thread owns it (running callbacks, or about to wait).
//   Parked:   the loop thread has let go of the GIL and waits in its selector; a Kestrel thread may
//             borrow it, provided no sync pool thread is counted in and no foreign thread may run Python.
//   Borrowed: a Kestrel thread runs a request's chain; the loop (on waking) and a sync pool thread
//             (before it takes the GIL) wait for its return — they are not Kestrel threads.
//   Closed:   the loop has stopped; nobody borrows again.
// The pool's count sits in the same word as the state, so a borrow and a pool thread's entry are
// ordered by one compare-and-swap: either the borrow sees the count, or the entry sees the borrow.
namespace Siphon.Runtime.Hosting.Dispatch;

internal sealed class InterpreterToken
{
    private const int Running = 0, Parked = 1, Borrowed = 2, Closed = 3, StateMask = 3, PoolUnit = 4;
    private int _word = Running;
    private readonly object _gate = new();
    private volatile bool _foreign, _loopWaiting;
    private long _borrows;

    /// <summary>A thread the token does not know (one a script started, an executor's, a .NET
    /// thread calling in through clr) may run this interpreter's Python: no borrowing. Set by
    /// whoever holds the GIL, before letting go of it.</summary>
    public bool Foreign { get => _foreign; set => _foreign = value; }

    /// <summary>Requests run by a borrowing thread since start (tests and metrics).</summary>
    public long Borrows => Interlocked.Read(ref _borrows);

    private long _longestTake;

    /// <summary>The longest a borrower took to take the GIL, in Stopwatch ticks: the evidence that no
    /// Kestrel thread waited for Python (a GIL held by a thread running bytecode is given up only
    /// after the switch interval, 5 ms by default).</summary>
    public TimeSpan LongestTake => TimeSpan.FromTicks(Interlocked.Read(ref _longestTake) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);

    public void RecordTake(long ticks)
    {
        var seen = Interlocked.Read(ref _longestTake);
        while (ticks > seen && Interlocked.CompareExchange(ref _longestTake, ticks, seen) != seen) seen = Interlocked.Read(ref _longestTake);
    }

    private static int StateOf(int word) => word & StateMask;

    private int Swap(int from, int to)
    {
        while (true)
        {
            var w = Volatile.Read(ref _word);
            if (StateOf(w) != from) return w;
            if (Interlocked.CompareExchange(ref _word, (w & ~StateMask) | to, w) == w) return w;
        }
    }

    /// <summary>Loop thread, after it released the GIL and before it waits: Running → Parked.</summary>
    public void Park() => Swap(Running, Parked);

    /// <summary>Loop thread, after its wait and before it takes the GIL: Parked → Running, waiting
    /// while a borrower holds it.</summary>
    public void Unpark()
    {
        while (true)
        {
            var w = Swap(Parked, Running);
            if (StateOf(w) != Borrowed) // was Parked (now Running), or Closed
            {
                _loopWaiting = false;
                return;
            }
            // No new borrow until the loop has it back: under load Kestrel threads would otherwise
            // borrow again before the woken loop runs, and starve it (its callbacks, a reload).
            _loopWaiting = true;
            WaitWhileBorrowed();
        }
    }

    /// <summary>A Kestrel thread: Parked with no pool thread counted in → Borrowed. Never waits.
    /// On true the caller takes the GIL (free) and must <see cref="Return"/>.</summary>
    public bool TryBorrow()
    {
        if (_foreign || _loopWaiting || Volatile.Read(ref _word) != Parked) return false;
        if (Interlocked.CompareExchange(ref _word, Borrowed, Parked) != Parked) return false;
        Interlocked.Increment(ref _borrows);
        return true;
    }

    /// <summary>The borrower, after it let go of the GIL: Borrowed → Parked; whoever waits goes on.</summary>
    public void Return()
    {
        Swap(Borrowed, Parked);
        lock (_gate) Monitor.PulseAll(_gate);
    }

    /// <summary>A sync pool thread, before it takes the GIL: counted in (no borrow starts until it
    /// leaves), waiting while a borrow already under way ends.</summary>
    public void EnterPool()
    {
        if (StateOf(Interlocked.Add(ref _word, PoolUnit)) == Borrowed) WaitWhileBorrowed();
    }

    /// <summary>A sync pool thread, after it let go of the GIL.</summary>
    public void LeavePool() => Interlocked.Add(ref _word, -PoolUnit);

    /// <summary>The loop has stopped: nobody borrows again.</summary>
    public void Close()
    {
        while (true)
        {
            var w = Volatile.Read(ref _word);
            if (StateOf(w) == Borrowed) { WaitWhileBorrowed(); continue; }
            if (Interlocked.CompareExchange(ref _word, (w & ~StateMask) | Closed, w) == w) return;
        }
    }

    private void WaitWhileBorrowed()
    {
        lock (_gate)
            while (StateOf(Volatile.Read(ref _word)) == Borrowed) Monitor.Wait(_gate);
    }
}
