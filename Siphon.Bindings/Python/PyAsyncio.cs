// Typed calls on asyncio objects (the worker's loop, its tasks and futures), so that the code that
// drives them (Hosting/Dispatch, the binding runtime's AsyncBridge) never holds a raw method lookup.
// Every call: loop thread, GIL held; a Python error is a PythonException.
namespace Siphon.Runtime.Python;

internal static unsafe class PyAsyncio
{
    /// <summary>A new event loop, made the thread's current one; on 3.12+ with asyncio's eager task
    /// factory, so a coroutine that finishes without suspending completes inside create_task with
    /// no trip round the loop.</summary>
    public static PyOwned NewEventLoop()
    {
        using var asyncio = PyObjects.Import("asyncio");
        var loop = PyObjects.CallMethod(asyncio.Handle, "new_event_loop");
        try
        {
            using (PyObjects.CallMethod(asyncio.Handle, "set_event_loop", loop.Handle)) { }
            if (PyObjects.HasAttr(asyncio.Handle, "eager_task_factory"))
            {
                using var eager = PyObjects.GetAttr(asyncio.Handle, "eager_task_factory");
                using (PyObjects.CallMethod(loop.Handle, "set_task_factory", eager.Handle)) { }
            }
            return loop;
        }
        catch
        {
            loop.Dispose();
            throw;
        }
    }

    /// <summary>asyncio.ensure_future, for an awaitable that is not a coroutine (a new reference).</summary>
    public static PyOwned EnsureFutureFunction()
    {
        using var asyncio = PyObjects.Import("asyncio");
        return PyObjects.GetAttr(asyncio.Handle, "ensure_future");
    }

    public static bool IsDone(nint future) => PyObjects.CallIsTrue(future, "done");

    public static bool IsCancelled(nint future) => PyObjects.CallIsTrue(future, "cancelled");

    /// <summary>future.exception(): a new reference, None when it succeeded.</summary>
    public static PyOwned Exception(nint future) => PyObjects.CallMethod(future, "exception");

    /// <summary>future.result(): a new reference.</summary>
    public static PyOwned Result(nint future) => PyObjects.CallMethod(future, "result");

    public static void AddDoneCallback(nint future, nint callback)
    {
        using (PyObjects.CallMethod(future, "add_done_callback", callback)) { }
    }

    public static void SetResult(nint future, nint value)
    {
        using (PyObjects.CallMethod(future, "set_result", value)) { }
    }

    public static void SetException(nint future, nint exception)
    {
        using (PyObjects.CallMethod(future, "set_exception", exception)) { }
    }

    public static void Cancel(nint future)
    {
        using (PyObjects.CallMethod(future, "cancel")) { }
    }

    /// <summary>A new RuntimeError(message) instance (a new reference), to resolve a future with.</summary>
    public static PyOwned NewRuntimeError(string message)
    {
        using var text = PyOwned.Adopt(PyConvert.ToPy(message));
        return PyObjects.Call(PyBuiltins.RuntimeError, text.Handle);
    }
}
