// What the interop layer keeps per interpreter. A Python object belongs to the interpreter that
// made it and must never be touched from another one (sub-interpreters with their own GIL run
// truly in parallel, with their own allocator): every cache of a Python object lives here, keyed
// by PyInterpreterState, and so does the queue of decrefs deferred by PyRef finalizers.
// Shared across interpreters and safe to keep in statics: immortal singletons (None, True, False),
// static builtin types and exception types (Py.*), PyCoro_Type, and native memory (type specs,
// method defs, interned names).
// Audit of the statics that hold Python objects: PyErrors' traceback.format_exception (here),
// BindingRegistry's heap types (here), PyRef's pending decrefs (here, per interpreter),
// AsyncBridge's loop host ([ThreadStatic]: one worker thread runs one interpreter), NativeCallable
// (only a PyMethodDef and a capsule name: native memory).
using System.Collections.Concurrent;

namespace Siphon.Runtime.Python;

internal sealed class PyInterpreter
{
    private static readonly ConcurrentDictionary<nint, PyInterpreter> s_live = new();
    [ThreadStatic] private static PyInterpreter? t_last;
    private readonly ConcurrentQueue<nint> _pending = new();
    private volatile bool _ended;

    private PyInterpreter(nint handle) => Handle = handle;

    /// <summary>The PyInterpreterState this belongs to.</summary>
    public nint Handle { get; }

    /// <summary>Heap types of bound C# types, created on first use (BindingRegistry). Strong references.</summary>
    public ConcurrentDictionary<Type, nint> Types { get; } = new();

    /// <summary>traceback.format_exception of this interpreter (PyErrors), or null until first used.</summary>
    public PyRef? FormatException { get; set; }

    /// <summary>The context variable holding the traced request's span (ScriptTrace), or null until first used.</summary>
    public PyRef? TraceVar { get; set; }
    /// <summary>The siphon._helpers module of this interpreter (ScriptHelpers), or null until first used.</summary>
    public PyRef? Helpers { get; set; }

    /// <summary>The state of the interpreter whose GIL the calling thread holds.</summary>
    public static PyInterpreter Current
    {
        get
        {
            var h = CApi.PyInterpreterState_Get();
            var last = t_last;
            if (last is not null && last.Handle == h && !last._ended) return last;
            return t_last = s_live.GetOrAdd(h, static h => new PyInterpreter(h));
        }
    }

    /// <summary>The main interpreter (pythonnet's, where PyGILState_* and Py.GIL() work).</summary>
    public bool IsMain => Handle == CApi.PyInterpreterState_Main();

    /// <summary>Runs <paramref name="body"/> on the calling thread, which holds no GIL, with a thread
    /// state of its own in this interpreter, made and attached for it and cleared and deleted after
    /// (Py.GIL() serves the main interpreter only).</summary>
    public void RunOnOwnThreadState(Action body)
    {
        var tstate = CApi.PyThreadState_New(Handle);
        CApi.PyEval_RestoreThread(tstate);
        body(); // returns with the GIL held; no finally: an exception may leave it released
        CApi.PyThreadState_Clear(tstate);
        CApi.PyThreadState_DeleteCurrent();
    }

    // Thread states of threads that borrow this interpreter to run a request (Hosting/Dispatch,
    // InterpreterToken): one per (thread, interpreter), made on the first borrow and kept, since
    // PyGILState would make and delete one per borrow (~1.5 µs) and serves the main interpreter only.
    [ThreadStatic] private static Dictionary<PyInterpreter, nint>? t_borrowerStates;
    private readonly ConcurrentQueue<nint> _borrowerStates = new();

    /// <summary>A thread that holds no GIL and has borrowed this interpreter (its GIL is free) takes
    /// the GIL with its own thread state for this interpreter.</summary>
    public void AttachBorrower()
    {
        var states = t_borrowerStates ??= [];
        if (!states.TryGetValue(this, out var tstate))
        {
            tstate = CApi.PyThreadState_New(Handle);
            if (tstate == 0) throw new InvalidOperationException("PyThreadState_New failed");
            _borrowerStates.Enqueue(tstate);
            states[this] = tstate;
        }
        CApi.PyEval_RestoreThread(tstate);
    }

    /// <summary>The borrower lets go of the GIL (its thread state is kept for its next borrow).</summary>
    public static void DetachBorrower() => CApi.PyEval_SaveThread();

    /// <summary>GIL held, no borrow possible any more, the interpreter about to end: a sub-interpreter
    /// refuses to end with other thread states alive, so its borrowers' are cleared and deleted here.
    /// The main interpreter's are left to Py_FinalizeEx, which deletes them itself: deleting a
    /// thread state from another thread unbinds the *calling* thread's PyGILState slot on 3.12+
    /// (measured: 3.13 then aborts in the worker's PyGILState_Release), and the main interpreter's
    /// worker thread holds its GIL through PyGILState (pythonnet's Py.GIL()).</summary>
    public void EndBorrowerStates()
    {
        if (IsMain) return;
        while (_borrowerStates.TryDequeue(out var tstate))
        {
            CApi.PyThreadState_Clear(tstate);
            CApi.PyThreadState_Delete(tstate);
        }
    }

    /// <summary>Any thread, no GIL (a finalizer): queues a decref for this interpreter's next drain.
    /// Once the interpreter has ended its objects are gone with it, and the handle is dropped.</summary>
    public void DeferDecRef(nint handle)
    {
        if (!_ended) _pending.Enqueue(handle);
    }

    /// <summary>Drops the queued references. This interpreter's GIL is held.</summary>
    public int DrainPending()
    {
        var n = 0;
        while (_pending.TryDequeue(out var h)) { CApi.Py_DecRef(h); n++; }
        return n;
    }

    /// <summary>Releases everything cached for the current interpreter, which is about to be
    /// finalised (Py_FinalizeEx or Py_EndInterpreter). Its GIL is held.</summary>
    public static void EndCurrent()
    {
        var h = CApi.PyInterpreterState_Get();
        if (!s_live.TryRemove(h, out var state)) return;
        state.DrainPending();
        state._ended = true; // from now on finalizers drop their handle instead of queueing it
        state.DrainPending(); // anything queued while the flag was being set
        state.FormatException?.Dispose();
        state.FormatException = null;
        state.TraceVar?.Dispose();
        state.TraceVar = null;
        state.Helpers?.Dispose();
        state.Helpers = null;
        foreach (var type in state.Types.Values) CApi.Py_DecRef(type);
        state.Types.Clear();
        if (t_last == state) t_last = null;
    }
}
