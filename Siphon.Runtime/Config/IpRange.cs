using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Siphon.Runtime.Config;

/// <summary>
/// One IP address or CIDR range (IPv4 or IPv6), as used by <c>trusted_proxies</c>.
/// Backed by <see cref="System.Net.IPNetwork"/>. Parsing is strict: IPv4 must be dotted-quad,
/// and a range with bits set past its prefix (<c>10.0.0.1/8</c>) is rejected rather than silently masked.
/// An IPv4-mapped IPv6 range with a prefix of at least 96 (<c>::ffff:10.0.0.0/104</c>) is stored as the IPv4 range.
/// </summary>
public sealed record IpRange
{
    private IpRange(IPNetwork network) => Network = network;

    /// <summary>The network; a single address has the full prefix length (32 or 128).</summary>
    public IPNetwork Network { get; }

    /// <summary>True when the range is exactly one address.</summary>
    public bool IsSingleAddress => Network.PrefixLength == MaxPrefix(Network.BaseAddress.AddressFamily);

    /// <summary>Creates a range from an address (a single address when <paramref name="prefixLength"/> is null).</summary>
    /// <exception cref="ArgumentException">the prefix is out of range or bits are set past it.</exception>
    public static IpRange Create(IPAddress address, int? prefixLength = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!TryCreate(address, prefixLength, out var range, out var error))
        {
            throw new ArgumentException(error, nameof(address));
        }

        return range;
    }

    /// <summary>Parses <c>10.0.0.0/8</c>, <c>127.0.0.1</c>, <c>2001:db8::/32</c>, <c>::1</c>.</summary>
    /// <exception cref="FormatException">with a message saying what is wrong.</exception>
    public static IpRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var range, out var error)
            ? range
            : throw new FormatException($"invalid IP or CIDR range '{text}': {error}");
    }

    /// <summary>Like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IpRange? range)
        => TryParse(text, out range, out _);

    /// <summary>
    /// True when <paramref name="address"/> is in the range. An IPv4-mapped IPv6 address
    /// (<c>::ffff:10.1.2.3</c>, as a dual-mode socket reports IPv4 peers) is treated as its IPv4 address.
    /// </summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return Network.Contains(address);
    }

    /// <summary>The address alone for a single address, otherwise <c>base/prefix</c>.</summary>
    public override string ToString()
        => IsSingleAddress ? Network.BaseAddress.ToString() : Network.ToString();

    private static bool TryParse(string? text, [NotNullWhen(true)] out IpRange? range, out string error)
    {
        range = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty (expected an IP address or a CIDR range such as 10.0.0.0/8)";
            return false;
        }

        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        IPAddress? address;
        if (addressText.Contains(':'))
        {
            if (!IpText.TryParseIPv6(addressText, allowScope: false, out address))
            {
                error = $"'{addressText}' is not an IPv6 address";
                return false;
            }
        }
        else if (!IpText.TryParseIPv4(addressText, out address))
        {
            error = $"'{addressText}' is not an IPv4 address (expected four numbers 0-255, e.g. 10.0.0.1)";
            return false;
        }

        int? prefix = null;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            var max = MaxPrefix(address.AddressFamily);
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
                || int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture) > max)
            {
                error = $"prefix length '{prefixText}' must be a number from 0 to {max}";
                return false;
            }

            prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return TryCreate(address, prefix, out range, out error);
    }

    private static bool TryCreate(IPAddress address, int? prefixLength, [NotNullWhen(true)] out IpRange? range, out string error)
    {
        range = null;
        var max = MaxPrefix(address.AddressFamily);
        var prefix = prefixLength ?? max;
        if (prefix < 0 || prefix > max)
        {
            error = $"prefix length {prefix} must be from 0 to {max}";
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        var masked = Mask(address, prefix);
        if (!masked.Equals(address))
        {
            error = $"bits are set past the /{prefix} prefix; did you mean {masked}/{prefix}?";
            return false;
        }

        range = new IpRange(new IPNetwork(address, prefix));
        error = "";
        return true;
    }

    private static int MaxPrefix(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 128 : 32;

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
