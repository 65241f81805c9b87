// The worker's inbox: a lock-free queue plus an eventfd the worker's loop watches with
// add_reader. Producers (Kestrel threads, the thread pool) never take the GIL; they write the
// eventfd only when the inbox goes from empty to non-empty, and the worker drains everything
// per wake-up (docs/architecture.md, "CPython facts": one wake per batch beats call_soon_threadsafe by far).
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Siphon.Runtime.Native;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Hosting.Dispatch;

internal sealed unsafe class Inbox : IDisposable
{
    private readonly ConcurrentQueue<IPyWork> _queue = new();
    private int _count;

    public Inbox()
    {
        FileDescriptor = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (FileDescriptor < 0) throw new InvalidOperationException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public int FileDescriptor { get; }

    /// <summary>Items posted and not yet run (a metrics gauge; any thread).</summary>
    public int Depth => Volatile.Read(ref _count);

    /// <summary>Any thread, no GIL.</summary>
    public void Post(IPyWork work)
    {
        _queue.Enqueue(work);
        if (Interlocked.Increment(ref _count) == 1)
        {
            ulong one = 1;
            Libc.Write(FileDescriptor, &one, sizeof(ulong));
        }
    }

    /// <summary>Wakes the loop with nothing posted (a borrower left it work: callbacks or a task to
    /// resume). Any thread, no GIL.</summary>
    public void Wake()
    {
        ulong one = 1;
        Libc.Write(FileDescriptor, &one, sizeof(ulong));
    }

    /// <summary>Worker thread: clears the eventfd and hands every queued item to <paramref name="run"/>,
    /// including items that arrive while draining. Returns how many ran.</summary>
    public int Drain(Action<IPyWork> run)
    {
        ulong value;
        Libc.Read(FileDescriptor, &value, sizeof(ulong)); // EAGAIN when already clear: fine
        var total = 0;
        while (true)
        {
            var n = 0;
            while (_queue.TryDequeue(out var work)) { run(work); n++; }
            total += n;
            // A producer that enqueued but has not yet counted makes this non-zero: go round again.
            if (Interlocked.Add(ref _count, -n) == 0) return total;
            if (n == 0) Thread.SpinWait(8);
        }
    }

    public void Dispose() => Libc.Close(FileDescriptor);
}
