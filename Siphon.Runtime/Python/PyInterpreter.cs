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
        state.Helpers?.Dispose();
        state.Helpers = null;
        foreach (var type in state.Types.Values) CApi.Py_DecRef(type);
        state.Types.Clear();
        if (t_last == state) t_last = null;
    }
}
