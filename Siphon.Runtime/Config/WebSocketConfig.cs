// servers[i].websocket: the limits of @http.websocket routes on one listener. Read per upgrade
// (a live reload's new values apply to sockets opened afterwards; open ones keep theirs).
namespace Siphon.Runtime.Config;

/// <summary><c>servers[i].websocket</c>: limits of the websockets accepted on this listener.</summary>
public sealed record WebSocketConfig
{
    public const int DefaultMaxMessageBytes = 1_048_576, DefaultPingIntervalMs = 30_000, DefaultPingTimeoutMs = 30_000,
        DefaultMaxSockets = 10_000;

    public static WebSocketConfig Default { get; } = new();

    /// <summary><c>max_message_bytes</c>: one message (all its frames), &gt; 0, default 1 MiB; a bigger one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary><c>ping_interval_ms</c>: a ping is sent after this long without one, default 30000; 0 = no pings.</summary>
    public int PingIntervalMs { get; init; } = DefaultPingIntervalMs;

    /// <summary><c>ping_timeout_ms</c>: a peer that has not answered a ping within this is dropped
    /// (the script sees WebSocketDisconnect 1006), default 30000; 0 = never (pings are then only keep-alives).</summary>
    public int PingTimeoutMs { get; init; } = DefaultPingTimeoutMs;

    /// <summary><c>max_sockets</c>: open websockets per worker on this listener, default 10000; an upgrade beyond it gets 503.</summary>
    public int MaxSockets { get; init; } = DefaultMaxSockets;

    /// <summary><c>allowed_origins</c>: origins (scheme://host[:port]) a browser upgrade may come
    /// from besides the listener's own host; empty = same host only. A request without Origin is allowed.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
}
