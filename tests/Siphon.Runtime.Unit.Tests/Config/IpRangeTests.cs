using System.Net;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Config;

public class IpRangeTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", true)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.0.0.0/8", "9.255.255.255", false)]
    [InlineData("192.168.1.0/24", "192.168.1.77", true)]
    [InlineData("192.168.1.0/24", "192.168.2.1", false)]
    [InlineData("172.16.0.0/12", "172.31.255.1", true)]
    [InlineData("172.16.0.0/12", "172.32.0.1", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("0.0.0.0/0", "::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "::2", false)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("fe80::/10", "febf::1", true)]
    [InlineData("fe80::/10", "fec0::1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "::ffff:11.1.2.3", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.20.30.40", true)]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.20.30.40", true)]
    [InlineData("::ffff:10.0.0.0/104", "11.0.0.1", false)]
    public void Contains(string range, string address, bool expected)
    {
        Assert.Equal(expected, IpRange.Parse(range).Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1/32", "127.0.0.1", true)]
    [InlineData("2001:DB8::/32", "2001:db8::/32", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8", false)]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3", true)]
    public void ParsesAndFormats(string text, string formatted, bool single)
    {
        var r = IpRange.Parse(text);
        Assert.Equal(formatted, r.ToString());
        Assert.Equal(single, r.IsSingleAddress);
        Assert.Equal(r, IpRange.Parse(r.ToString()));
    }

    [Fact]
    public void UsesSystemIPNetwork()
    {
        var r = IpRange.Parse("10.0.0.0/8");
        Assert.Equal(new IPNetwork(IPAddress.Parse("10.0.0.0"), 8), r.Network);
        Assert.Equal(IpRange.Parse("10.0.0.1"), IpRange.Create(IPAddress.Parse("10.0.0.1")));
        Assert.Equal(r, IpRange.Create(IPAddress.Parse("10.0.0.0"), 8));
        Assert.Throws<ArgumentException>(() => IpRange.Create(IPAddress.Parse("10.0.0.1"), 8));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("10.0.0.0/", "prefix length '' must be a number from 0 to 32")]
    [InlineData("10.0.0.0/33", "from 0 to 32")]
    [InlineData("10.0.0.0/-1", "from 0 to 32")]
    [InlineData("10.0.0.0/8/8", "must be a number")]
    [InlineData("::/129", "from 0 to 128")]
    [InlineData("10.0.0.1/8", "bits are set past the /8 prefix; did you mean 10.0.0.0/8?")]
    [InlineData("2001:db8::1/32", "did you mean 2001:db8::/32?")]
    [InlineData("10.0.0", "'10.0.0' is not an IPv4 address")]
    [InlineData("127.1", "is not an IPv4 address")]
    [InlineData("010.0.0.1", "is not an IPv4 address")]
    [InlineData("300.0.0.1", "is not an IPv4 address")]
    [InlineData("localhost", "is not an IPv4 address")]
    [InlineData("fe80::1%eth0", "is not an IPv6 address")]
    [InlineData("gggg::1", "is not an IPv6 address")]
    [InlineData(" 10.0.0.1", "is not an IPv4 address")]
    public void RejectsWithClearMessage(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => IpRange.Parse(text));
        Assert.StartsWith($"invalid IP or CIDR range '{text}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.False(IpRange.TryParse(text, out _));
    }
}
