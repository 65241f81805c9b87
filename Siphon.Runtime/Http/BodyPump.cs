// A streamed body produced by Python and consumed by C#: a Response's async iterable (written to
// the client) or a Client.stream() request body (sent upstream). `_host.start_pump` runs the
// iterable as a task on the worker's loop and hands each chunk to Write. The producer may run
// ahead of the consumer by Window bytes: while less than that is queued, its write resolves at
// once (no hop to the loop per chunk); past it, the write waits until the consumer, which asks for
// the next chunk only after writing (and flushing) the previous one, has brought the queue down to
// Resume.
// So what is held here is bounded (Window plus one chunk), and the loop and the socket overlap.
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
    /// <summary>Bytes the producer may have queued before its write waits for the consumer, which
    /// lets it go on once the queue is under half of that (so one wake-up of the loop brings
    /// several chunks, not one).</summary>
    public const int Window = 256 * 1024, Resume = Window / 2;

    private readonly Channel<byte[]> _chunks =
        Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private long _queued;                 // bytes written by the producer, not yet written out by the consumer
    private int _held;                    // the size of the chunk the consumer holds
    private TaskCompletionSource? _blocked; // the producer's write waiting for room
    private PyRef? _task;                 // loop thread only
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

    // write(chunk), on the loop: queue a copy of the chunk; the awaitable resolves at once while
    // the queue is under Window, else when the consumer has brought it down to Resume.
    private nint Write(nint chunk)
    {
        var bytes = PyConvert.ToBytes(chunk, "chunk");
        if (_cancelled || !_chunks.Writer.TryWrite(bytes)) return AsyncBridge.ToAwaitable(Task.FromCanceled(new CancellationToken(true)), null);
        if (Interlocked.Add(ref _queued, bytes.Length) < Window) return AsyncBridge.ToAwaitable(Task.CompletedTask, null);
        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _blocked, room);
        // The consumer may have made room between the add and the store: look again (it looks
        // at _blocked after lowering _queued, so one of the two resolves it).
        if (_cancelled) Interlocked.Exchange(ref _blocked, null)?.TrySetCanceled();
        else if (Volatile.Read(ref _queued) <= Resume) Interlocked.Exchange(ref _blocked, null)?.TrySetResult();
        return AsyncBridge.ToAwaitable(room.Task, null);
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

    /// <summary>The next chunk, or null at the end. Counts the previous chunk out first (so call it
    /// only once that one is written and flushed). Throws ProducerFailedException when the producer
    /// raised. Any thread; one caller at a time.</summary>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken ct)
    {
        if (_held > 0 && Interlocked.Add(ref _queued, -_held) <= Resume) Interlocked.Exchange(ref _blocked, null)?.TrySetResult();
        _held = 0;
        if (!await _chunks.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return null;
        if (!_chunks.Reader.TryRead(out var chunk)) return null;
        _held = chunk.Length;
        return chunk;
    }

    /// <summary>Stops the producer (the client went away, the time ran out, or the consumer failed):
    /// its task is cancelled on the loop. Any thread, idempotent.</summary>
    public void Cancel()
    {
        if (_cancelled) return;
        _cancelled = true;
        Interlocked.Exchange(ref _blocked, null)?.TrySetCanceled();
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
            while (pump._chunks.Reader.TryRead(out _)) { }
            Interlocked.Exchange(ref pump._blocked, null)?.TrySetCanceled();
            if (pump._task is not { } task) return;
            using var r = CallMethod(task.Handle, "cancel");
        }
    }
}
