// Open websockets per (listener, worker), against servers[i].websocket.max_sockets: reserved on
// the Kestrel side before the chain runs (an upgrade beyond the limit gets 503 without Python) and
// released when the request ends. Also what the open-sockets gauge reads.
using System.Collections.Concurrent;

namespace Siphon.Runtime.Hosting.Dispatch;

internal static class WebSocketCount
{
    private static readonly ConcurrentDictionary<(int Listener, int Worker), StrongBox> s_open = new();

    private sealed class StrongBox { public int Value; }

    /// <summary>Counts one more open socket unless <paramref name="max"/> are open already.</summary>
    public static bool TryOpen(int listener, int worker, int max)
    {
        var box = s_open.GetOrAdd((listener, worker), static _ => new StrongBox());
        while (true)
        {
            var open = Volatile.Read(ref box.Value);
            if (open >= max) return false;
            if (Interlocked.CompareExchange(ref box.Value, open + 1, open) == open) return true;
        }
    }

    public static void Close(int listener, int worker) => Interlocked.Decrement(ref s_open[(listener, worker)].Value);

    /// <summary>Open sockets over every listener and worker of this process.</summary>
    public static int Total => s_open.Values.Sum(b => Volatile.Read(ref b.Value));
}
