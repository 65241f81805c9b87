// Live reload for one process (docs/reload.md): SIGHUP, and with `reload: true` / `--reload` a
// change to the script, a local module it imported or http.yaml, reloads. One reload at a time; a
// request for one while another runs is served by one more afterwards.
// A reload: read http.yaml again (a bad one keeps the running config; settings only a restart
// applies are logged and left alone), swap in the changed clients and caches, load the new script
// version in every worker (WorkerPool.ReloadAsync), then give the listeners their new limits. A
// version that fails to load undoes the client and cache swap and the old version serves on.
// Watching is by polling mtime and size every 100 ms, not inotify: it sees an editor's
// write-to-temp-and-rename the same as a write, works on bind mounts and network filesystems where
// no events arrive, and a handful of stat calls per tick costs nothing. A change is acted on once
// the files have been quiet for one tick (an editor's burst of writes is one reload), and not
// while the script is empty: an editor that saves in place truncates it first, and a process
// descheduled between truncating and writing would otherwise have an empty script loaded (a
// version with no routes, answering 404) for a moment. An empty script is loaded after 2 s.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Transport;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed class ScriptReloader : IAsyncDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly WorkerPool _workers;
    private readonly IReadOnlyList<Listener> _listeners;
    private readonly Func<SiphonConfig> _loadConfig;
    private readonly ILogger _log;
    private readonly TimeSpan _poll;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private PosixSignalRegistration? _hup;
    private Task? _watching;
    private readonly Lock _lock = new();
    private Task<bool>? _pending; // a reload waiting for the one under way
    private string _restartNote = "";

    /// <param name="loadConfig">reads http.yaml again as start-up did (command-line overrides
    /// applied); throws ConfigException for a bad one.</param>
    public ScriptReloader(WorkerPool workers, IReadOnlyList<Listener> listeners, SiphonConfig config, Func<SiphonConfig> loadConfig,
        ILoggerFactory loggers, TimeSpan? pollInterval = null)
    {
        _workers = workers;
        _listeners = listeners;
        Config = config;
        _loadConfig = loadConfig;
        _log = loggers.CreateLogger("siphon.reload");
        _poll = pollInterval ?? DefaultPollInterval;
    }

    /// <summary>The configuration in force (its live settings follow each reload taken).</summary>
    public SiphonConfig Config { get; private set; }

    /// <summary>Handles SIGHUP, and with <paramref name="watch"/> polls the files for changes.</summary>
    public void Start(bool watch)
    {
        _hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            _ = ReloadAsync("SIGHUP");
        });
        if (watch)
        {
            // The files' first stamps are taken here, not on the watch task: a change made once
            // Start has returned (the host then prints its ready line) is one the watch sees.
            var known = new Dictionary<string, (long, long)>();
            foreach (var f in WatchedFiles()) known[f] = Stamp(f);
            _watching = Task.Run(() => WatchAsync(known, _stop.Token));
        }
    }

    /// <summary>Reloads http.yaml and the script now; true when a new version was taken. Never throws.</summary>
    public Task<bool> ReloadAsync(string reason)
    {
        lock (_lock)
        {
            // A reload that has not started yet will see this change too.
            if (_pending is { } waiting) return waiting;
            return _pending = Task.Run(() => RunAsync(reason));
        }
    }

    private async Task<bool> RunAsync(string reason)
    {
        await _gate.WaitAsync();
        lock (_lock) _pending = null;
        try
        {
            if (_stop.IsCancellationRequested) return false;
            return await ReloadOnceAsync(reason);
        }
        catch (Exception e)
        {
            _log.LogError(e, "reload failed");
            return false;
        }
        finally { _gate.Release(); }
    }

    private async Task<bool> ReloadOnceAsync(string reason)
    {
        var started = Stopwatch.GetTimestamp();
        var running = Config;
        var loaded = running;
        try
        {
            loaded = _loadConfig();
        }
        catch (Exception e) when (e is ConfigException or FormatException)
        {
            _log.LogError("{Error}; keeping the running configuration", e.Message);
        }
        var restart = ConfigReload.NeedsRestart(running, loaded);
        var note = string.Join(", ", restart);
        if (note != _restartNote)
        {
            if (restart.Count > 0)
                _log.LogWarning("{File}: {Keys} changed; that needs a restart, so the running process keeps its current value{S}",
                    loaded.SourcePath, note, restart.Count == 1 ? "" : "s");
            _restartNote = note;
        }
        var next = ConfigReload.Apply(running, loaded);

        ConfigSwap clients = ConfigSwap.None, caches = ConfigSwap.None;
        var good = true;
        try
        {
            clients = Http.ClientPool.Reconfigure(next.Clients);
        }
        catch (ArgumentException e)
        {
            // A client's certificate or CA file is bad: the whole file counts as bad.
            _log.LogError("{File}: {Error}; keeping the running configuration", loaded.SourcePath, e.Message);
            next = running;
            good = false;
        }
        if (good) caches = Cache.CacheNamespace.Reconfigure(next.Caches, _log);

        int version;
        Task retired;
        try
        {
            (version, retired) = await _workers.ReloadAsync();
        }
        catch (Exception e)
        {
            caches.Undo();
            clients.Undo();
            var current = _workers.Workers[0].Current?.Number;
            _log.LogError("reload ({Reason}) failed; version {Version} keeps serving: {Error}", reason, current, e.Message);
            return false;
        }
        for (var i = 0; i < _listeners.Count && i < next.Servers.Count; i++) _listeners[i].Update(next.Servers[i]);
        Config = next;
        _ = retired.ContinueWith(_ => { clients.Release(); caches.Release(); }, TaskScheduler.Default);
        _log.LogInformation("reloaded ({Reason}): version {Version} serving, loaded in {Ms:F0} ms", reason, version,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    /// <summary>The script, the local modules the current version imported, and http.yaml.</summary>
    private IEnumerable<string> WatchedFiles()
    {
        var files = _workers.Workers[0].Current?.Files ?? [];
        return Config.SourcePath is { Length: > 0 } yaml ? files.Append(yaml) : files;
    }

    private static (long, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc.Ticks, info.Length) : (-1, -1);
    }

    private async Task WatchAsync(Dictionary<string, (long, long)> known, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(_poll, stop);
                var changed = Changed(known);
                if (changed is null) continue;
                // Debounce: wait until a tick passes with no further change (and the script is not
                // empty, for up to 2 s).
                Dictionary<string, (long, long)> now;
                var settling = Stopwatch.StartNew();
                do
                {
                    now = WatchedFiles().ToDictionary(f => f, Stamp);
                    await Task.Delay(_poll, stop);
                }
                while (!now.All(kv => Stamp(kv.Key) == kv.Value)
                       || (ScriptIsEmpty() && settling.Elapsed < TimeSpan.FromSeconds(2)));
                known = now;
                await ReloadAsync($"{Path.GetFileName(changed)} changed");
                // A new version may import modules the old did not: watch them from their current state.
                foreach (var f in WatchedFiles()) known.TryAdd(f, Stamp(f));
            }
        }
        catch (OperationCanceledException) { }
    }

    private bool ScriptIsEmpty() => _workers.Workers[0].Current?.Files is [var script, ..] && Stamp(script).Item2 == 0;

    private string? Changed(Dictionary<string, (long, long)> known)
    {
        foreach (var f in WatchedFiles())
        {
            var stamp = Stamp(f);
            if (!known.TryGetValue(f, out var was)) known[f] = stamp;
            else if (was != stamp) return f;
        }
        return null;
    }

    /// <summary>Stops watching and handling SIGHUP, and waits for a reload under way to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _hup?.Dispose();
        if (_watching is not null) await _watching;
        if (await _gate.WaitAsync(TimeSpan.FromSeconds(30))) _gate.Release();
        else _log.LogWarning("a reload was still running at shutdown");
    }
}
