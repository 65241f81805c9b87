// http.yaml on a live reload: which settings the running process can take (named clients, caches,
// each listener's body cap, request timeout, trusted proxies and websocket limits, the shutdown grace) and which
// need a restart (everything that shaped the process: listeners, Kestrel limits, workers, Python,
// the sync pool, the admin listener, tracing, the log format). The latter are reported and left as they were.
namespace Siphon.Runtime.Config;

public static class ConfigReload
{
    /// <summary>The keys <paramref name="loaded"/> changes that only a restart applies, e.g.
    /// <c>workers</c>, <c>servers[0].listen</c>; empty when there are none.</summary>
    public static IReadOnlyList<string> NeedsRestart(SiphonConfig running, SiphonConfig loaded)
    {
        var keys = new List<string>();
        void Check<T>(string key, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b)) keys.Add(key);
        }
        Check("python", running.Python, loaded.Python);
        Check("workers", running.Workers, loaded.Workers);
        Check("worker_mode", running.WorkerMode, loaded.WorkerMode);
        Check("sync_threads", running.SyncThreads, loaded.SyncThreads);
        Check("sync_threads_max", running.SyncThreadsMax, loaded.SyncThreadsMax);
        Check("sync_queue_max", running.SyncQueueMax, loaded.SyncQueueMax);
        Check("handler_stall_abort_secs", running.HandlerStallAbortSecs, loaded.HandlerStallAbortSecs);
        Check("access_log", running.AccessLog, loaded.AccessLog);
        Check("log_format", running.LogFormat, loaded.LogFormat); // the loggers are built at start-up
        Check("reload", running.Reload, loaded.Reload);
        Check("admin", running.Admin, loaded.Admin); // the admin listener and its meters are set up at start-up
        Check("tracing", running.Tracing, loaded.Tracing); // so is the tracer provider
        if (!running.Extensions.SequenceEqual(loaded.Extensions)) keys.Add("extensions"); // an assembly, once loaded, stays
        if (running.Servers.Count != loaded.Servers.Count)
        {
            keys.Add("servers");
            return keys;
        }
        for (var i = 0; i < running.Servers.Count; i++)
        {
            var (a, b) = (running.Servers[i], loaded.Servers[i]);
            Check($"servers[{i}].listen", a.Listen, b.Listen);
            Check($"servers[{i}].tls", a.Tls, b.Tls);
            Check($"servers[{i}].max_header_bytes", a.MaxHeaderBytes, b.MaxHeaderBytes);
            Check($"servers[{i}].header_timeout_ms", a.HeaderTimeoutMs, b.HeaderTimeoutMs);
            Check($"servers[{i}].keep_alive_timeout_ms", a.KeepAliveTimeoutMs, b.KeepAliveTimeoutMs);
            Check($"servers[{i}].max_connections", a.MaxConnections, b.MaxConnections);
        }
        return keys;
    }

    /// <summary>The configuration in force after a reload: <paramref name="loaded"/>'s live settings
    /// on <paramref name="running"/>'s restart-only ones. A listener takes its new limits only when
    /// the list of listeners (count, addresses, TLS) is unchanged.</summary>
    public static SiphonConfig Apply(SiphonConfig running, SiphonConfig loaded)
    {
        var sameListeners = running.Servers.Count == loaded.Servers.Count
            && running.Servers.Zip(loaded.Servers).All(p => p.First.Listen == p.Second.Listen && p.First.Tls == p.Second.Tls);
        return running with
        {
            Clients = loaded.Clients,
            Caches = loaded.Caches,
            ShutdownGraceMs = loaded.ShutdownGraceMs,
            Servers = !sameListeners ? running.Servers : running.Servers.Zip(loaded.Servers).Select(p => p.First with
            {
                MaxBodyBytes = p.Second.MaxBodyBytes,
                RequestTimeoutMs = p.Second.RequestTimeoutMs,
                TrustedProxies = p.Second.TrustedProxies,
                WebSocket = p.Second.WebSocket,
            }).ToList(),
        };
    }
}
