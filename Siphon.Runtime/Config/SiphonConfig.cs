using System.Collections.ObjectModel;

namespace Siphon.Runtime.Config;

/// <summary>
/// The whole of <c>http.yaml</c> (every key is described in docs/configuration.md).
/// Made by <see cref="ConfigLoader"/>, which validates every value; <see cref="Default"/> is what you get with no file.
/// </summary>
public sealed record SiphonConfig
{
    public const int DefaultWorkers = 1;
    public const int DefaultShutdownGraceMs = 10_000;

    /// <summary>All defaults: no python override, 1 worker (processes mode), no access log, 10 s grace, one listener on 127.0.0.1:8080, no clients.</summary>
    public static SiphonConfig Default { get; } = new();

    /// <summary><c>python</c>: a python executable (a bare name is looked up on PATH) or a libpython path; null = auto-detect.
    /// A relative path containing a directory separator is resolved against the config file's directory.</summary>
    public string? Python { get; init; }

    /// <summary><c>workers</c>: ≥ 1, default 1.</summary>
    public int Workers { get; init; } = DefaultWorkers;

    /// <summary><c>worker_mode</c>: how <see cref="Workers"/> &gt; 1 runs, default processes; ignored for 1 worker.</summary>
    public WorkerMode WorkerMode { get; init; } = WorkerMode.Processes;

    public const int DefaultSyncQueueMax = 1024, DefaultHandlerStallAbortSecs = 30, SyncThreadsLimit = 4096;

    /// <summary><c>sync_threads</c>: the sync pool's core per worker, 1..4096; null = max(8, 2× CPUs).</summary>
    public int? SyncThreads { get; init; }

    /// <summary><c>sync_threads_max</c>: the pool's ceiling, ≥ sync_threads; null = max(32, 4× core).</summary>
    public int? SyncThreadsMax { get; init; }

    /// <summary><c>sync_queue_max</c>: sync jobs waiting for a thread, ≥ 1, default 1024; past it → 503.</summary>
    public int SyncQueueMax { get; init; } = DefaultSyncQueueMax;

    /// <summary><c>handler_stall_abort_secs</c>: 0..86400, default 30; 0 = no stall watchdog.</summary>
    public int HandlerStallAbortSecs { get; init; } = DefaultHandlerStallAbortSecs;

    /// <summary><c>access_log</c>: default false.</summary>
    public bool AccessLog { get; init; }

    /// <summary><c>reload</c>: watch the script, its local modules and this file, and reload on a change
    /// (docs/reload.md); default false. SIGHUP reloads either way.</summary>
    public bool Reload { get; init; }

    /// <summary><c>shutdown_grace_ms</c>: drain time on SIGTERM/SIGINT, ≥ 0, default 10000.</summary>
    public int ShutdownGraceMs { get; init; } = DefaultShutdownGraceMs;

    /// <summary><c>servers</c>: never empty; a missing or empty list means one plain listener on 127.0.0.1:8080.</summary>
    public IReadOnlyList<ServerConfig> Servers { get; init; } = [ServerConfig.Default];

    /// <summary><c>clients</c>: named outbound clients by name (ordinal, case-sensitive).</summary>
    public IReadOnlyDictionary<string, ClientConfig> Clients { get; init; } = ReadOnlyDictionary<string, ClientConfig>.Empty;

    /// <summary><c>cache</c>: named caches in file order, names unique (ordinal, case-sensitive).</summary>
    public IReadOnlyList<CacheConfig> Caches { get; init; } = [];

    /// <summary><c>log_format</c>: text (default) or json lines.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary><c>admin</c>: the listener for /metrics, /livez and /readyz; null (default) = none.</summary>
    public AdminConfig? Admin { get; init; }

    /// <summary><c>tracing</c>: spans sent to an OTLP collector; null (default) = none recorded.</summary>
    public TracingConfig? Tracing { get; init; }

    /// <summary><c>extensions</c>: .NET assemblies with [PyClass] types (built against Siphon.Bindings) whose
    /// modules scripts import; full paths (relative ones resolved against the config file's directory).</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>Full path of the file this came from; empty for <see cref="Default"/>.</summary>
    public string SourcePath { get; init; } = "";
}

/// <summary><c>worker_mode</c>: how <c>workers: N</c> (N &gt; 1) runs past one core (README, "Scaling").</summary>
public enum WorkerMode
{
    /// <summary><c>processes</c>: N copies of the host sharing each port (SO_REUSEPORT); any CPython.</summary>
    Processes,

    /// <summary><c>interpreters</c>: one process, N interpreters each with its own GIL; CPython ≥ 3.13.</summary>
    Interpreters,
}

/// <summary><c>log_format</c>: how log lines are written to stderr/stdout.</summary>
public enum LogFormat
{
    /// <summary><c>text</c>: one human-readable line per message.</summary>
    Text,

    /// <summary><c>json</c>: one JSON object per line (timestamp, level, category, message, fields).</summary>
    Json,
}

/// <summary><c>admin</c>: the operations listener (Prometheus <c>/metrics</c>, <c>/livez</c>, <c>/readyz</c>).</summary>
public sealed record AdminConfig
{
    public const int DefaultStallAfterMs = 10_000;

    /// <summary><c>listen</c> (required): host:port; never the port of a serving listener.</summary>
    public required ListenEndpoint Listen { get; init; }

    /// <summary><c>stall_after_ms</c>: /livez fails when a worker's loop has not picked up its
    /// heartbeat for this long, ≥ 100, default 10000.</summary>
    public int StallAfterMs { get; init; } = DefaultStallAfterMs;
}

/// <summary>The spelling of <see cref="WorkerMode"/> in http.yaml and on the command line.</summary>
public static class WorkerModes
{
    public const string Expected = "'processes' or 'interpreters'";

    public static bool TryParse(string text, out WorkerMode mode)
    {
        switch (text)
        {
            case "processes": mode = WorkerMode.Processes; return true;
            case "interpreters": mode = WorkerMode.Interpreters; return true;
            default: mode = default; return false;
        }
    }

    public static string Name(this WorkerMode mode) => mode == WorkerMode.Interpreters ? "interpreters" : "processes";
}

/// <summary>One entry of <c>servers</c>: a listening socket and its limits.</summary>
public sealed record ServerConfig
{
    public const long DefaultMaxBodyBytes = 1_048_576;
    public const int DefaultRequestTimeoutMs = 30_000;

    /// <summary>A plain listener on 127.0.0.1:8080 with default limits.</summary>
    public static ServerConfig Default { get; } = new() { Listen = ListenEndpoint.Default };

    /// <summary><c>listen</c> (required).</summary>
    public required ListenEndpoint Listen { get; init; }

    /// <summary><c>tls</c>: null = cleartext (HTTP/1.1 + h2c prior knowledge).</summary>
    public TlsConfig? Tls { get; init; }

    /// <summary><c>max_body_bytes</c>: &gt; 0, default 1 MiB; larger bodies get 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary><c>request_timeout_ms</c>: &gt; 0, default 30000; past it the answer is 504.</summary>
    public int RequestTimeoutMs { get; init; } = DefaultRequestTimeoutMs;

    /// <summary><c>trusted_proxies</c>: IPs / CIDR ranges; default none.</summary>
    public IReadOnlyList<IpRange> TrustedProxies { get; init; } = [];

    // Kestrel's defaults: 32 KiB of headers, 30 s to send them, 130 s idle keep-alive, no connection cap.
    public const int DefaultMaxHeaderBytes = 32 * 1024, DefaultHeaderTimeoutMs = 30_000, DefaultKeepAliveTimeoutMs = 130_000;

    /// <summary><c>max_header_bytes</c>: request line excluded, all header lines together, 1 KiB..16 MiB, default 32 KiB; more → 431.</summary>
    public int MaxHeaderBytes { get; init; } = DefaultMaxHeaderBytes;

    /// <summary><c>header_timeout_ms</c>: time a client has to send all its request headers, &gt; 0, default 30000; past it → 408 and close.</summary>
    public int HeaderTimeoutMs { get; init; } = DefaultHeaderTimeoutMs;

    /// <summary><c>keep_alive_timeout_ms</c>: an idle connection is closed after this, &gt; 0, default 130000.</summary>
    public int KeepAliveTimeoutMs { get; init; } = DefaultKeepAliveTimeoutMs;

    /// <summary><c>max_connections</c>: open connections on this listener; null (default) = no limit; past it a new connection is closed at once.</summary>
    public long? MaxConnections { get; init; }

    /// <summary><c>websocket</c>: the limits of @http.websocket routes on this listener.</summary>
    public WebSocketConfig WebSocket { get; init; } = WebSocketConfig.Default;
}

/// <summary>
/// <c>servers[i].tls</c>. Paths are resolved against the config file's directory (absolute paths stay as they are);
/// whether the files exist is checked by the listener layer, not here.
/// </summary>
public sealed record TlsConfig
{
    /// <summary><c>cert_path</c> (required): PEM certificate chain.</summary>
    public required string CertPath { get; init; }

    /// <summary><c>key_path</c> (required): PEM private key.</summary>
    public required string KeyPath { get; init; }

    /// <summary><c>client_ca</c>: when set, clients must present a certificate issued by this CA (mutual TLS).</summary>
    public string? ClientCa { get; init; }
}

/// <summary>
/// One entry of <c>clients</c>: a named, pooled outbound HTTP client (<c>http.Client("name")</c>).
/// Paths are resolved against the config file's directory.
/// </summary>
public sealed record ClientConfig
{
    public const int DefaultTimeoutMs = 30_000;

    /// <summary>Default connection pool size per upstream (the value docs/configuration.md shows); ≥ 1.</summary>
    public const int DefaultPoolSize = 16;

    /// <summary>The key under <c>clients</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>base_url</c>: absolute http:// or https:// URL relative request paths join onto; null = the
    /// client takes absolute URLs only.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary><c>timeout_ms</c>: &gt; 0, default 30000.</summary>
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;

    /// <summary><c>verify</c>: CA bundle path to trust for the upstream; null = the system trust store.</summary>
    public string? Verify { get; init; }

    /// <summary><c>cert</c>: client certificate path (first of <c>[cert, key]</c>, the one combined PEM, or <c>cert</c> beside <c>key</c>).</summary>
    public string? CertPath { get; init; }

    /// <summary>Client key path (second of <c>[cert, key]</c>, or the <c>key</c> key); null when <see cref="CertPath"/> is a combined PEM.</summary>
    public string? KeyPath { get; init; }

    /// <summary><c>pool_size</c>: max connections per server, ≥ 1, default 16.</summary>
    public int PoolSize { get; init; } = DefaultPoolSize;

    /// <summary><c>http2_prior_knowledge</c>: speak HTTP/2 without negotiation (h2c); default false.</summary>
    public bool Http2PriorKnowledge { get; init; }
}

/// <summary>
/// One entry of <c>cache</c>: a named store for <c>siphon.cache</c>. Without <c>url</c> it is the embedded
/// store (one per process); with one it is Redis, optionally fronted by a local LRU serving <c>fetch</c>.
/// </summary>
public sealed record CacheConfig
{
    public const int DefaultTimeoutMs = 1000;
    public const int DefaultLocalMaxEntries = 10_000;

    /// <summary><c>name</c> (required): what scripts pass as the first argument of every cache call.</summary>
    public required string Name { get; init; }

    /// <summary><c>url</c>: <c>redis://[:password@]host:port[/db]</c>; null = the embedded store.</summary>
    public RedisEndpoint? Redis { get; init; }

    /// <summary><c>local_ttl_secs</c>: with Redis, how long the local LRU may serve a fetched value; null = no local LRU.
    /// Ignored by the embedded store (which is local already).</summary>
    public int? LocalTtlSecs { get; init; }

    /// <summary><c>local_max_entries</c>: the embedded store's bound, or the size of Redis's local LRU; default 10000.</summary>
    public int LocalMaxEntries { get; init; } = DefaultLocalMaxEntries;

    /// <summary><c>timeout_ms</c>: with Redis, how long a call may take before it raises CacheError; default 1000.</summary>
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;
}
