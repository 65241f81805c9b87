// A cache entry's `url:` — redis://[[user]:password@]host[:port][/db], or rediss:// for TLS. Parsed
// here, at config time, so a typo stops the server with the file, line and key instead of surfacing
// as a connection error on the first request. Messages never repeat the password.
using System.Globalization;

namespace Siphon.Runtime.Config;

public sealed record RedisEndpoint(string Host, int Port, int Database, string? User, string? Password, bool Tls)
{
    public const int DefaultPort = 6379;

    /// <summary>host:port/db, without credentials: safe for logs.</summary>
    public override string ToString() => $"{(Tls ? "rediss" : "redis")}://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/{Database}";

    public static bool TryParse(string text, out RedisEndpoint? endpoint, out string why)
    {
        endpoint = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !text.Contains("://", StringComparison.Ordinal))
        {
            why = "not an absolute URL";
            return false;
        }
        if (uri.Scheme is not ("redis" or "rediss"))
        {
            why = $"the scheme must be redis or rediss, not {uri.Scheme}";
            return false;
        }
        if (uri.Host.Length == 0)
        {
            why = "no host";
            return false;
        }
        var path = uri.AbsolutePath.Trim('/');
        var db = 0;
        if (path.Length > 0
            && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out db) || path.Contains('/')))
        {
            why = $"the path must be a database number, got '/{path}'";
            return false;
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            why = "a query string or fragment is not supported";
            return false;
        }
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            // redis://secret@host: a bare password, as redis-cli -u reads it
            if (colon < 0) password = Uri.UnescapeDataString(uri.UserInfo);
            else
            {
                user = colon == 0 ? null : Uri.UnescapeDataString(uri.UserInfo[..colon]);
                password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        endpoint = new RedisEndpoint(host, port, db, user, password, uri.Scheme == "rediss");
        why = "";
        return true;
    }

    /// <summary>The URL with any password replaced by ***, for error messages.</summary>
    public static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme) return url;
        var userInfo = url[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':');
        return url[..(scheme + 3)] + (colon < 0 ? "***" : userInfo[..(colon + 1)] + "***") + url[at..];
    }
}
