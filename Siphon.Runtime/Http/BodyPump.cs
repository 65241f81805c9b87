// A streamed body produced by Python and consumed by C#: a Response's async iterable (written to
// the client) or a Client.stream() request body (sent upstream). `_host.start_pump` runs the
// iterable as a task on the worker's loop; each chunk it hands to Write waits until the consumer
// has taken it, and the consumer asks for the next chunk only after writing (and flushing) the
// previous one, so the producer never runs ahead of the socket and one chunk at most is held here.
using System.Threading.Channels;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Http;

/// <summary>The producer of a streamed body raised (or yielded something other than bytes/str).</summary>
public sealed class ProducerFailedException(string traceback) : Exception("the streamed body's producer raised")
{
    public string Traceback { get; } = traceback;
}

public sealed class BodyPump(IPyLoopHost host)
{
    private readonly Channel<(byte[] Chunk, TaskCompletionSource Taken)> _chunks =
        Channel.CreateUnbounded<(byte[], TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private TaskCompletionSource? _taken; // the chunk the consumer holds
    private PyRef? _task;                // loop thread only
    private volatile bool _cancelled;

    /// <summary>Starts draining <paramref name="iterable"/> (borrowed). Loop thread of <c>host</c>, GIL held.</summary>
    public unsafe void Start(nint iterable)
    {
        try
        {
            if (_cancelled) { _chunks.Writer.TryComplete(new OperationCanceledException()); return; }
            using var module = PyObjects.Import("siphon._host");
            using var start = PyObjects.GetAttr(module.Handle, "start_pump");
            using var write = PyOwned.Checked(NativeCallable.Create(Write));
            using var done = PyOwned.Checked(NativeCallable.Create(Done));
            var args = stackalloc nint[3] { iterable, write.Handle, done.Handle };
            using var task = PyOwned.Checked(CApi.PyObject_Vectorcall(start.Handle, args, 3, 0));
            _task = task.Borrow().NewReference().ToRef();
        }
        catch (PythonException e)
        {
            _chunks.Writer.TryComplete(new ProducerFailedException(e.PythonTraceback));
        }
    }

    /// <summary>Ends the body with an error without running a producer.</summary>
    public void Fail(string message) => _chunks.Writer.TryComplete(new ProducerFailedException(message));

    // write(chunk), on the loop: queue a copy of the chunk; the awaitable resolves when it is taken.
    private nint Write(nint chunk)
    {
        var bytes = PyConvert.ToBytes(chunk, "chunk");
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_cancelled || !_chunks.Writer.TryWrite((bytes, taken))) taken.TrySetCanceled();
        return AsyncBridge.ToAwaitable(taken.Task, null);
    }

    // The task finished, on the loop: end the channel with its outcome.
    private nint Done(nint task)
    {
        _task?.Dispose();
        _task = null;
        using (var cancelled = CallMethod(task, "cancelled"))
            if (cancelled.Handle == PyBuiltins.True)
            {
                _chunks.Writer.TryComplete(new OperationCanceledException("the streamed body was cancelled"));
                return PyBuiltins.NewNone();
            }
        using var exc = CallMethod(task, "exception");
        if (PyConvert.IsNone(exc.Handle)) _chunks.Writer.TryComplete();
        else _chunks.Writer.TryComplete(new ProducerFailedException(PyErrors.FormatTraceback(exc.Handle).TrimEnd()));
        return PyBuiltins.NewNone();
    }

    /// <summary>The next chunk, or null at the end. Marks the previous chunk taken first (so call it
    /// only once that one is written and flushed). Throws ProducerFailedException when the producer
    /// raised. Any thread; one caller at a time.</summary>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _taken, null)?.TrySetResult();
        if (!await _chunks.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return null;
        if (!_chunks.Reader.TryRead(out var item)) return null;
        _taken = item.Taken;
        return item.Chunk;
    }

    /// <summary>Stops the producer (the client went away, the time ran out, or the consumer failed):
    /// its task is cancelled on the loop. Any thread, idempotent.</summary>
    public void Cancel()
    {
        if (_cancelled) return;
        _cancelled = true;
        Interlocked.Exchange(ref _taken, null)?.TrySetCanceled();
        host.Post(new CancelWork(this));
    }

    private static unsafe PyOwned CallMethod(nint o, string name)
    {
        using var method = PyObjects.GetAttr(o, name);
        return PyOwned.Checked(CApi.PyObject_CallNoArgs(method.Handle));
    }

    private sealed class CancelWork(BodyPump pump) : IPyWork
    {
        public void Run()
        {
            while (pump._chunks.Reader.TryRead(out var item)) item.Taken.TrySetCanceled();
            if (pump._task is not { } task) return;
            using var r = CallMethod(task.Handle, "cancel");
        }
    }
}
