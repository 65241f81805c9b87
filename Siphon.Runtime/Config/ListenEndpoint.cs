using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Siphon.Runtime.Config;

/// <summary>
/// A listen address: <c>host:port</c>. The host is an IPv4 address in dotted-quad form,
/// a bracketed IPv6 address (<c>[::1]:8080</c>), <c>localhost</c>, or <c>*</c> for every
/// interface. Host names other than <c>localhost</c> are rejected: nothing is resolved at bind
/// time. Port 0 asks the OS for an ephemeral port (tests use it).
/// </summary>
public sealed record ListenEndpoint
{
    /// <summary>The host that means "every interface".</summary>
    public const string AnyHost = "*";

    /// <summary>The listener used when <c>http.yaml</c> names none: <c>127.0.0.1:8080</c>.</summary>
    public static ListenEndpoint Default { get; } = new("127.0.0.1", 8080);

    /// <summary>Creates an endpoint; <paramref name="host"/> follows the same rules as <see cref="Parse"/> (IPv6 without brackets).</summary>
    /// <exception cref="ArgumentException">the host or port is not valid.</exception>
    public ListenEndpoint(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "port must be from 0 to 65535");
        }

        var normalized = host.Contains(':')
            ? NormalizeIPv6(host)
            : NormalizeHost(host);
        Host = normalized ?? throw new ArgumentException(HostError(host), nameof(host));
        Port = port;
    }

    /// <summary><c>*</c>, <c>localhost</c>, or a normalized IP address (IPv6 without brackets).</summary>
    public string Host { get; }

    /// <summary>0..65535; 0 = ephemeral.</summary>
    public int Port { get; }

    /// <summary>True for <c>*</c> (every interface, IPv4 and IPv6).</summary>
    public bool IsAnyHost => Host == AnyHost;

    /// <summary>
    /// Parses <c>127.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>*:8080</c>, <c>0.0.0.0:8080</c>, <c>localhost:8080</c>.
    /// </summary>
    /// <exception cref="FormatException">with a message saying what is wrong and what is expected.</exception>
    public static ListenEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var endpoint, out var error)
            ? endpoint
            : throw new FormatException($"invalid listen address '{text}': {error}");
    }

    /// <summary>Like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ListenEndpoint? endpoint)
        => TryParse(text, out endpoint, out _);

    private static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ListenEndpoint? endpoint, out string error)
    {
        endpoint = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty (expected host:port, e.g. 127.0.0.1:8080)";
            return false;
        }

        string? host;
        string portText;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                error = "missing ']' after the IPv6 address (expected e.g. [::1]:8080)";
                return false;
            }

            if (close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = "missing port after ']' (expected e.g. [::1]:8080)";
                return false;
            }

            var inner = text[1..close];
            host = NormalizeIPv6(inner);
            if (host is null)
            {
                error = $"'{inner}' is not an IPv6 address";
                return false;
            }

            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = "missing port (expected host:port, e.g. 127.0.0.1:8080)";
                return false;
            }

            var hostText = text[..colon];
            if (hostText.Contains(':'))
            {
                error = "an IPv6 address must be in brackets, e.g. [::1]:8080";
                return false;
            }

            if (hostText.Length == 0)
            {
                error = "missing host (use *:PORT for every interface, 127.0.0.1:PORT for loopback)";
                return false;
            }

            host = NormalizeHost(hostText);
            if (host is null)
            {
                error = HostError(hostText);
                return false;
            }

            portText = text[(colon + 1)..];
        }

        if (!TryParsePort(portText, out var port))
        {
            error = portText.Length == 0
                ? "missing port (expected host:port, e.g. 127.0.0.1:8080)"
                : $"port '{portText}' must be a number from 0 to 65535";
            return false;
        }

        endpoint = new ListenEndpoint(host, port);
        error = "";
        return true;
    }

    /// <summary>
    /// The address to bind. <c>localhost</c> → <see cref="IPAddress.Loopback"/> (127.0.0.1);
    /// <c>*</c> → <see cref="IPAddress.IPv6Any"/> when the OS supports IPv6 (the listener must bind it
    /// dual-mode so IPv4 clients are served too, as Kestrel does), otherwise <see cref="IPAddress.Any"/>;
    /// <c>0.0.0.0</c> → <see cref="IPAddress.Any"/> (IPv4 only); an IP → itself.
    /// </summary>
    public IPEndPoint ToIPEndPoint()
    {
        var address = Host switch
        {
            AnyHost => Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.Parse(Host),
        };
        return new IPEndPoint(address, Port);
    }

    /// <summary><c>host:port</c>, with IPv6 hosts in brackets; <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
        => Host.Contains(':')
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    private static string HostError(string host)
        => $"host '{host}' must be an IP address, 'localhost' or '*' (host names are not resolved)";

    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= 65535;
    }

    /// <summary>Host without ':' → "*", "localhost" or a normalized dotted-quad IPv4; null if invalid.</summary>
    private static string? NormalizeHost(string host)
    {
        if (host == AnyHost)
        {
            return AnyHost;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "localhost";
        }

        return IpText.TryParseIPv4(host, out var address) ? address.ToString() : null;
    }

    private static string? NormalizeIPv6(string host)
        => IpText.TryParseIPv6(host, allowScope: true, out var address) ? address.ToString() : null;
}

/// <summary>Strict IP text parsing: dotted-quad IPv4 only (no "127.1", no octal), IPv6 with ':'.</summary>
internal static class IpText
{
    public static bool TryParseIPv4(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            foreach (var c in part)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }
            }

            if (int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
    }

    public static bool TryParseIPv6(string text, bool allowScope, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (!text.Contains(':') || (!allowScope && text.Contains('%')))
        {
            return false;
        }

        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }
}
