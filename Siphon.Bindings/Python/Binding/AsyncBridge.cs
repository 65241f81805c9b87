// Task<T> → awaitable. The awaitable is an asyncio future of the worker's loop; the Task's
// completion is posted to the worker's inbox (no pool thread ever takes the GIL) and resolves the
// future there. Cancelling the future (e.g. the handler's task hit its timeout) cancels the
// CancellationTokenSource handed to the C# call, so the outbound work stops too.
namespace Siphon.Runtime.Python.Binding;

public static unsafe class AsyncBridge
{
    [ThreadStatic] private static IPyLoopHost? t_host;

    /// <summary>The loop host of the current thread; set by the worker while it runs.</summary>
    public static IPyLoopHost? Current { get => t_host; set => t_host = value; }

    private static IPyLoopHost Host => t_host ?? throw new InvalidOperationException(
        "async methods of bound types can only be awaited on a Siphon worker's event loop");

    /// <summary>A new CancellationTokenSource for a bound async call (see PyMethodAttribute).</summary>
    public static CancellationTokenSource CreateCancellation() => new();

    public static nint ToAwaitable<T>(Task<T> task, CancellationTokenSource? cancellation, Func<T, nint> convert) =>
        Await(task, cancellation, t => convert(((Task<T>)t).Result));

    public static nint ToAwaitable(Task task, CancellationTokenSource? cancellation) =>
        Await(task, cancellation, static _ => PyBuiltins.NewNone());

    private static nint Await(Task task, CancellationTokenSource? cancellation, Func<Task, nint> result)
    {
        var host = Host;
        using var future = PyOwned.Checked(host.CreateFuture());
        if (task.IsCompleted)
        {
            // Already done (cached or synchronous): resolve now, no hop through the inbox.
            Complete(future.Handle, task, result);
            cancellation?.Dispose();
            return future.Steal();
        }
        if (cancellation is not null)
        {
            var cts = cancellation;
            using var callback = PyOwned.Checked(NativeCallable.Create(f =>
            {
                if (PyAsyncio.IsCancelled(f)) { try { cts.Cancel(); } catch (ObjectDisposedException) { } }
                return PyBuiltins.NewNone();
            }));
            PyAsyncio.AddDoneCallback(future.Handle, callback.Handle);
        }
        CApi.Py_IncRef(future.Handle);
        var completion = new Completion(host, new PyRef(future.Handle), task, result, cancellation);
        // If the task completes meanwhile, this runs inline on the loop thread: it only queues.
        task.ContinueWith(static (_, state) => ((Completion)state!).Post(), completion,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return future.Steal();
    }

    private sealed class Completion(IPyLoopHost host, PyRef future, Task task, Func<Task, nint> result, CancellationTokenSource? cts) : IPyWork
    {
        public void Post() => host.Post(this);

        public void Run()
        {
            try
            {
                if (!PyAsyncio.IsDone(future.Handle)) Complete(future.Handle, task, result);
            }
            catch (Exception e)
            {
                // Setting the result failed (e.g. the loop closed): nothing awaits it any more.
                System.Diagnostics.Debug.WriteLine($"async completion dropped: {e.Message}");
                CApi.PyErr_Clear();
            }
            finally
            {
                future.Dispose();
                cts?.Dispose();
            }
        }
    }

    private static void Complete(nint future, Task task, Func<Task, nint> result)
    {
        if (task.IsCompletedSuccessfully)
        {
            nint value;
            try { value = result(task); }
            catch (Exception e) { SetException(future, e); return; }
            using var v = PyOwned.Adopt(value);
            PyAsyncio.SetResult(future, v.Handle);
        }
        else
        {
            SetException(future, task.Exception?.InnerException ?? new OperationCanceledException("the operation was cancelled"));
        }
    }

    private static void SetException(nint future, Exception e)
    {
        PyErrors.SetFromException(e);
        using var exception = PyOwned.Checked(PyErrors.FetchException());
        PyAsyncio.SetException(future, exception.Handle);
    }
}
