// One `servers:` entry at run time: its limits and trust settings, found from a request through
// the connection's Items (set by connection middleware on that endpoint), so every listener
// enforces its own body cap and timeout. A live reload may replace the settings read per request
// (max_body_bytes, request_timeout_ms, trusted_proxies); the Kestrel limits stay as started.
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Hosting.Transport;

public sealed class Listener(int index, ServerConfig config)
{
    public const string ItemKey = "siphon.listener";
    public int Index { get; } = index;
    private volatile Settings _settings = new(config);

    private sealed class Settings(ServerConfig config)
    {
        public readonly ServerConfig Config = config;
        public readonly TimeSpan RequestTimeout = TimeSpan.FromMilliseconds(config.RequestTimeoutMs);
    }

    public ServerConfig Config => _settings.Config;
    public long MaxBodyBytes => _settings.Config.MaxBodyBytes;
    public TimeSpan RequestTimeout => _settings.RequestTimeout;

    /// <summary>A live reload's new settings for this listener (same address and TLS): requests that
    /// start afterwards use its body cap, timeout and trusted proxies.</summary>
    internal void Update(ServerConfig config) => _settings = new Settings(config);

    /// <summary>The bound endpoint (with the real port when the config asked for port 0).</summary>
    public EndPoint? BoundEndPoint { get; set; }

    public bool IsTrustedProxy(IPAddress peer)
    {
        foreach (var range in Config.TrustedProxies)
            if (range.Contains(peer)) return true;
        return false;
    }

    public string Url
    {
        get
        {
            var scheme = Config.Tls is null ? "http" : "https";
            return BoundEndPoint switch
            {
                IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"{scheme}://[{ip.Address}]:{ip.Port}",
                IPEndPoint ip => $"{scheme}://{ip.Address}:{ip.Port}",
                _ => $"{scheme}://{Config.Listen}",
            };
        }
    }

    /// <summary>The client address a script sees as req.client: "ip:port" ("[ip]:port" for IPv6), or
    /// the left-most X-Forwarded-For entry when the peer is one of this listener's trusted proxies.</summary>
    public string ClientOf(HttpContext ctx)
    {
        var ip = ctx.Connection.RemoteIpAddress ?? IPAddress.None;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (Config.TrustedProxies.Count > 0 && IsTrustedProxy(ip)
            && ctx.Request.Headers.TryGetValue("X-Forwarded-For", out var xff) && LeftMost(xff) is { Length: > 0 } forwarded)
            return forwarded;
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ip}]:{ctx.Connection.RemotePort}"
            : $"{ip}:{ctx.Connection.RemotePort}";
    }

    private static string? LeftMost(StringValues xff)
    {
        var first = xff[0];
        if (first is null) return null;
        var comma = first.IndexOf(',');
        return (comma < 0 ? first : first[..comma]).Trim();
    }
}
