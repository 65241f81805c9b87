// The workers of one process: one (the default, and every worker process of the supervisor), or
// N in worker_mode: interpreters — worker 0 in the main interpreter, workers 1..N-1 each in a
// sub-interpreter with its own GIL on its own thread (CPython 3.13+). Every worker loads the script
// into its own interpreter and runs its own on_startup/on_shutdown hooks; the routing tables are
// identical (checked at start-up), so the Kestrel side routes with worker 0's table and posts each
// request to the worker with the fewest requests outstanding (ties: round-robin).
// Why least-outstanding rather than plain round-robin: a request a worker is stuck on (a slow sync
// handler holds its loop) does not pull later requests into its queue, and it costs one read per
// worker; on uniform load the two measure the same (README, "Scaling").
// Start: worker 0 first (it initialises CPython), then the others together. Stop: the
// sub-interpreters first (on_shutdown, Py_EndInterpreter, each on its own thread), then worker 0
// (its on_shutdown, then Py_FinalizeEx).
// Live reload (ReloadAsync) is two-phase so the workers never disagree for long: every worker
// loads the new version and runs its on_startup hooks; only when all succeeded and registered the
// same routes does each switch to it, else every prepared copy is discarded and the old serves on.
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed class WorkerPool
{
    private readonly Worker[] _workers;
    private int _next;

    /// <param name="count">1, or N ≥ 2 for N interpreters in this process (CPython ≥ 3.13, see <see cref="Refusal"/>).</param>
    /// <param name="finalizePython">false leaves CPython initialised when worker 0 stops, for a process
    /// that goes on using it (the in-process tests start one pool after another).</param>
    public WorkerPool(PythonInstall install, string scriptPath, ILoggerFactory loggers, int count = 1, SyncPoolOptions? sync = null,
        bool finalizePython = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _workers = Enumerable.Range(0, count).Select(i => new Worker(install, scriptPath, loggers, i, sync) { FinalizesPython = finalizePython }).ToArray();
    }

    public IReadOnlyList<Worker> Workers => _workers;

    /// <summary>Loads the script again in every worker and switches each to the new version once all
    /// have loaded it and run its on_startup hooks. Returns the new version's number and a task that
    /// completes when every replaced version has drained and run its on_shutdown hooks. Throws (the
    /// first worker's error) when a worker could not load it; the old version then serves on
    /// everywhere.</summary>
    public async Task<(int Version, Task Retired)> ReloadAsync()
    {
        var prepares = _workers.Select(w => w.PrepareReloadAsync()).ToArray();
        try { await Task.WhenAll(prepares); }
        catch { /* looked at one by one below */ }
        var error = prepares.FirstOrDefault(t => !t.IsCompletedSuccessfully)?.Exception?.InnerException;
        if (error is null)
        {
            var main = prepares[0].Result.Version;
            var different = Array.FindIndex(prepares, t => t.Result.Version.RouteSignature != main.RouteSignature);
            if (different > 0)
                error = new ScriptLoadException(
                    $"worker {different} (sub-interpreter) registered different routes than worker 0: every interpreter runs the script, " +
                    "so the routes it registers must not depend on anything that differs between them");
        }
        if (error is not null)
        {
            for (var i = 0; i < _workers.Length; i++)
                if (prepares[i].IsCompletedSuccessfully) _workers[i].DiscardReload(prepares[i].Result);
            throw error;
        }
        var commits = _workers.Select((w, i) => w.CommitReload(prepares[i].Result)).ToArray();
        // Only once every worker has switched does the caller say "version N serving".
        await Task.WhenAll(commits.Select(c => c.Swapped));
        return (prepares[0].Result.Version.Number, Task.WhenAll(commits.Select(c => c.Retired)));
    }

    /// <summary>Why <paramref name="install"/> cannot run worker_mode: interpreters, or null when it can.</summary>
    public static string? Refusal(PythonInstall install) =>
        install.Version >= PythonRuntime.SubInterpreterMinimum ? null
            : $"worker_mode: interpreters needs CPython {PythonRuntime.SubInterpreterMinimum.Major}.{PythonRuntime.SubInterpreterMinimum.Minor} or newer, " +
              $"and this is CPython {install.Version.Major}.{install.Version.Minor} ({install.Executable ?? install.LibraryPath}): " +
              "before 3.13, CPython aborts at shutdown once a sub-interpreter with its own GIL has existed. " +
              "Use worker_mode: processes (the default; --worker-mode processes), or a CPython 3.13 (--python PATH).";

    /// <summary>The worker for the next request: the fewest outstanding, ties taken in turn.</summary>
    public Worker Pick()
    {
        var workers = _workers;
        if (workers.Length == 1) return workers[0];
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)workers.Length);
        var best = workers[start];
        var load = best.Outstanding;
        for (var i = 1; i < workers.Length && load > 0; i++)
        {
            var w = workers[(start + i) % workers.Length];
            var l = w.Outstanding;
            if (l < load) (best, load) = (w, l);
        }
        return best;
    }

    /// <summary>Starts every worker and waits until each has loaded the script and run its
    /// on_startup hooks. On a failure, the workers that did start are stopped (their on_shutdown
    /// hooks run, CPython is finalised) before the first error is thrown.</summary>
    public async Task StartAsync()
    {
        var main = _workers[0];
        main.Start();
        try
        {
            await main.Started;
        }
        catch
        {
            await main.Stopped;
            throw;
        }
        if (_workers.Length == 1) return;

        foreach (var w in _workers.Skip(1)) w.Start();
        Exception? error = null;
        foreach (var w in _workers.Skip(1))
        {
            try { await w.Started; }
            catch (Exception e) { error ??= e; }
        }
        if (error is null)
        {
            var different = _workers.Skip(1).FirstOrDefault(w => w.RouteSignature != main.RouteSignature);
            if (different is not null)
                error = new ScriptLoadException(
                    $"worker {different.Index} (sub-interpreter) registered different routes than worker 0: every interpreter runs the script, " +
                    "so the routes it registers must not depend on anything that differs between them");
        }
        if (error is not null)
        {
            await StopAsync();
            throw error;
        }
    }

    /// <summary>Stops the sub-interpreters, then worker 0 (which finalises CPython). 0 when every
    /// worker stopped cleanly.</summary>
    public async Task<int> StopAsync()
    {
        var subs = await Task.WhenAll(_workers.Skip(1).Select(w => w.StopAsync()));
        var main = await _workers[0].StopAsync();
        return main == 0 && subs.All(rc => rc == 0) ? 0 : 1;
    }
}
