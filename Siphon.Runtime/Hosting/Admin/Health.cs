// What /readyz and /livez answer for one process. Ready: every worker has run on_startup and the
// listeners are bound, until SIGTERM/SIGINT starts the drain. Live: every worker's loop is turning:
// a heartbeat work item is posted to each worker's inbox every second (no GIL on this side), and a
// worker that has not run its pending heartbeat for stall_after_ms is stuck (a handler blocking the
// loop, a wedged interpreter); a worker whose thread ended is dead. The sync pool's own watchdog
// (handler_stall_abort_secs) covers stalled sync handlers by exiting the process.
using System.Diagnostics;
using Siphon.Runtime.Hosting.Dispatch;

namespace Siphon.Runtime.Hosting.Admin;

/// <summary>The answers of /readyz and /livez: OK, and a short text/plain reason.</summary>
internal interface IHealth
{
    Task<(bool Ok, string Text)> ReadyAsync();
    Task<(bool Ok, string Text)> LiveAsync();
}

internal sealed class Health(int stallAfterMs) : IHealth, IDisposable
{
    private readonly Lock _lock = new();
    private WorkerPool? _workers;
    private long[] _pendingSince = [];
    private Timer? _timer;
    private volatile bool _ready, _draining;

    /// <summary>The workers have started (scripts loaded, on_startup run): watch their loops.</summary>
    public void Watch(WorkerPool workers)
    {
        lock (_lock)
        {
            _workers = workers;
            _pendingSince = new long[workers.Workers.Count];
            var period = TimeSpan.FromMilliseconds(Math.Clamp(stallAfterMs / 4, 25, 1000));
            _timer = new Timer(_ => Beat(), null, TimeSpan.Zero, period);
        }
    }

    /// <summary>The listeners are bound: ready.</summary>
    public void MarkReady() => _ready = true;

    /// <summary>SIGTERM/SIGINT: not ready from now on; heartbeats stop before the workers do (an
    /// inbox is closed once its worker ends, so nothing may be posted to it after that).</summary>
    public void MarkDraining()
    {
        _draining = true;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Beat()
    {
        lock (_lock)
        {
            if (_timer is null || _workers is null) return;
            for (var i = 0; i < _pendingSince.Length; i++)
            {
                var w = _workers.Workers[i];
                if (_pendingSince[i] != 0 || w.Stopped.IsCompleted) continue;
                _pendingSince[i] = Stopwatch.GetTimestamp();
                var index = i;
                w.Post(new ActionWork(() => Volatile.Write(ref _pendingSince[index], 0)));
            }
        }
    }

    public Task<(bool Ok, string Text)> ReadyAsync() => Task.FromResult(
        _draining ? (false, "draining\n")
        : !_ready ? (false, "starting\n")
        : (true, "ready\n"));

    public Task<(bool Ok, string Text)> LiveAsync()
    {
        var workers = _workers;
        if (workers is null || _draining) return Task.FromResult((true, "ok\n")); // starting, or stopping on purpose
        for (var i = 0; i < workers.Workers.Count; i++)
        {
            if (workers.Workers[i].Stopped.IsCompleted)
                return Task.FromResult((false, $"worker {i}: its thread has ended\n"));
            var since = Volatile.Read(ref _pendingSince[i]);
            if (since != 0 && Stopwatch.GetElapsedTime(since).TotalMilliseconds > stallAfterMs)
                return Task.FromResult((false, $"worker {i}: its event loop has not run for {Stopwatch.GetElapsedTime(since).TotalMilliseconds:F0} ms (stall_after_ms: {stallAfterMs})\n"));
        }
        return Task.FromResult((true, "ok\n"));
    }

    public void Dispose() => MarkDraining();
}
