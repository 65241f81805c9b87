// One `servers:` entry at run time: its limits and trust settings, found from a request through
// the connection's Items (set by connection middleware on that endpoint), so every listener
// enforces its own body cap and timeout.
using System.Net;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Hosting;

public sealed class Listener(int index, ServerConfig config)
{
    public const string ItemKey = "siphon.listener";
    public int Index { get; } = index;
    public ServerConfig Config { get; } = config;
    public long MaxBodyBytes => Config.MaxBodyBytes;
    public TimeSpan RequestTimeout { get; } = TimeSpan.FromMilliseconds(config.RequestTimeoutMs);

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
}
