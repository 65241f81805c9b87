// Which request's span a Python thread is working for. .NET's Activity.Current flows with the
// ExecutionContext of the Kestrel side, but a handler runs on the worker's thread (interleaved with
// other requests' coroutines) or on a sync pool thread, where it means nothing. The Python side
// has the matching mechanism: a context variable, which asyncio copies into every task (so each
// request's coroutines, and tasks they start, keep their own value) and run_coroutine_threadsafe
// carries from a pool thread to the loop. So the host sets one per traced request around every
// entry into Python for it (the chain on the loop or the pool, a coroutine started for it, each
// plain function of a mixed chain, a streamed body's producer), holding the request's Span; and
// what needs the request on a Python thread (an http.Client call choosing its parent, a log.*
// line) reads it back. Untraced requests (tracing off) set nothing.
using System.Diagnostics;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Telemetry;

internal static unsafe class ScriptTrace
{
    /// <summary>This interpreter's variable (made on first use). GIL held.</summary>
    private static nint Var()
    {
        var interpreter = PyInterpreter.Current;
        if (interpreter.TraceVar is { } made) return made.Handle;
        var v = PyErrors.ThrowIfNull(CApi.PyContextVar_New((byte*)Utf8Z.Of("siphon.trace"), 0));
        interpreter.TraceVar = new PyRef(v);
        return v;
    }

    /// <summary>The span of the request this Python thread is serving (in the running task or
    /// thread's context), or null: none, or tracing is off. GIL held.</summary>
    public static Activity? Current()
    {
        if (!Tracing.Enabled) return null;
        using var value = Get();
        return !value.IsNull && CApi.Py_TYPE(value.Handle) == BindingRegistry.TypeOf(typeof(Span)) ? BoundObject.Get<Span>(value.Handle).Activity : null;
    }

    /// <summary>The current value, to hand to another thread's <see cref="Enter(PyRef?)"/>; null when
    /// none is set. GIL held.</summary>
    public static PyRef? Capture()
    {
        if (!Tracing.Enabled) return null;
        var value = Get();
        return value.IsNull ? null : value.ToRef();
    }

    // The variable's value in the current context (null when unset).
    private static PyOwned Get()
    {
        nint value;
        if (CApi.PyContextVar_Get(Var(), 0, &value) >= 0) return PyOwned.Adopt(value);
        CApi.PyErr_Clear();
        return PyOwned.Adopt(0);
    }

    /// <summary>Sets <paramref name="request"/>'s span as this thread's until disposed (nothing for
    /// an untraced request). Also makes it .NET's Activity.Current meanwhile, for the host's own log
    /// lines about the request. GIL held.</summary>
    public static Scope Enter(Request request)
    {
        if (request.Trace is null) return default;
        using var span = PyOwned.Checked(BoundObject.Wrap(request.Span));
        return Set(span.Handle, request.Trace);
    }

    /// <summary>Sets a value <see cref="Capture"/> took on another thread (null: nothing: the thread's
    /// own context has no value, and Activity.Current stays as it is, none). GIL held.</summary>
    public static Scope Enter(PyRef? captured) =>
        captured is null ? default : Set(captured.Handle, BoundObject.Get<Span>(captured.Handle).Activity);

    private static Scope Set(nint span, Activity? activity)
    {
        var var = Var();
        var token = PyErrors.ThrowIfNull(CApi.PyContextVar_Set(var, span));
        return new Scope(var, token, activity);
    }

    /// <summary>Puts the variable (and Activity.Current) back as they were.</summary>
    public readonly ref struct Scope
    {
        private readonly nint _var, _token;
        private readonly Tracing.Current _current;

        public Scope(nint var, nint token, Activity? activity)
        {
            _var = var;
            _token = token;
            _current = Tracing.Use(activity);
        }

        public void Dispose()
        {
            if (_token == 0) return;
            _current.Dispose();
            if (CApi.PyContextVar_Reset(_var, _token) < 0) CApi.PyErr_Clear(); // a token of another context: nothing to undo
            CApi.Py_DecRef(_token);
        }
    }
}
