using System.Net;
using System.Net.Sockets;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Config;

public class ListenEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080, "127.0.0.1:8080")]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80, "0.0.0.0:80")]
    [InlineData("*:8080", "*", 8080, "*:8080")]
    [InlineData("localhost:3000", "localhost", 3000, "localhost:3000")]
    [InlineData("LocalHost:3000", "localhost", 3000, "localhost:3000")]
    [InlineData("[::1]:8080", "::1", 8080, "[::1]:8080")]
    [InlineData("[::]:443", "::", 443, "[::]:443")]
    [InlineData("[2001:DB8:0:0::1]:1", "2001:db8::1", 1, "[2001:db8::1]:1")]
    [InlineData("10.1.2.3:0", "10.1.2.3", 0, "10.1.2.3:0")]
    [InlineData("10.1.2.3:65535", "10.1.2.3", 65535, "10.1.2.3:65535")]
    public void ParsesAndRoundTrips(string text, string host, int port, string formatted)
    {
        var ep = ListenEndpoint.Parse(text);
        Assert.Equal(host, ep.Host);
        Assert.Equal(port, ep.Port);
        Assert.Equal(formatted, ep.ToString());
        Assert.Equal(ep, ListenEndpoint.Parse(ep.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("127.0.0.1", "missing port")]
    [InlineData("127.0.0.1:", "missing port")]
    [InlineData(":8080", "missing host")]
    [InlineData("127.0.0.1:-1", "must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:65536", "must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:080808", "must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:80a", "must be a number from 0 to 65535")]
    [InlineData("127.0.0.1: 80", "must be a number from 0 to 65535")]
    [InlineData("::1:8080", "must be in brackets")]
    [InlineData("[::1]8080", "missing port after ']'")]
    [InlineData("[::1:8080", "missing ']'")]
    [InlineData("[127.0.0.1]:80", "is not an IPv6 address")]
    [InlineData("[nope]:80", "is not an IPv6 address")]
    [InlineData("127.1:80", "must be an IP address, 'localhost' or '*'")]
    [InlineData("010.0.0.1:80", "must be an IP address")]
    [InlineData("256.0.0.1:80", "must be an IP address")]
    [InlineData("example.com:80", "host names are not resolved")]
    [InlineData("**:80", "must be an IP address")]
    public void RejectsWithClearMessage(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => ListenEndpoint.Parse(text));
        Assert.StartsWith($"invalid listen address '{text}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.False(ListenEndpoint.TryParse(text, out _));
    }

    [Fact]
    public void ToIPEndPoint()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), ListenEndpoint.Parse("127.0.0.1:8080").ToIPEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 1), ListenEndpoint.Parse("localhost:1").ToIPEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.Any, 2), ListenEndpoint.Parse("0.0.0.0:2").ToIPEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 3), ListenEndpoint.Parse("[::1]:3").ToIPEndPoint());
        var any = Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        Assert.Equal(new IPEndPoint(any, 4), ListenEndpoint.Parse("*:4").ToIPEndPoint());
    }

    [Fact]
    public void AnyHostFlag()
    {
        Assert.True(ListenEndpoint.Parse("*:1").IsAnyHost);
        Assert.False(ListenEndpoint.Parse("0.0.0.0:1").IsAnyHost);
    }

    [Fact]
    public void ConstructorValidates()
    {
        Assert.Equal("[::1]:5", new ListenEndpoint("::1", 5).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ListenEndpoint("127.0.0.1", 70000));
        Assert.Throws<ArgumentException>(() => new ListenEndpoint("example.com", 80));
        Assert.Equal("127.0.0.1:8080", ListenEndpoint.Default.ToString());
    }

    [Fact]
    public void EqualityIsByValue()
    {
        Assert.Equal(ListenEndpoint.Parse("[::1]:80"), new ListenEndpoint("0:0::1", 80));
        Assert.NotEqual(ListenEndpoint.Parse("127.0.0.1:80"), ListenEndpoint.Parse("127.0.0.1:81"));
    }
}
