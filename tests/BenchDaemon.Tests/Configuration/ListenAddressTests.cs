using BenchDaemon.Configuration;

namespace BenchDaemon.Tests.Configuration;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData(":9847", "", 9847, true)]
    [InlineData("*:9847", "*", 9847, true)]
    [InlineData("127.0.0.1:1", "127.0.0.1", 1, false)]
    [InlineData("[::1]:65535", "::1", 65535, false)]
    [InlineData("localhost:9847", "localhost", 9847, false)]
    public void TryParse_Valid_ReturnsHostAndPort(string text, string host, int port, bool any)
    {
        Assert.True(ListenAddress.TryParse(text, out var address, out var error), error);

        Assert.Equal(host, address!.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(any, address.AnyInterface);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("9847", "has no port")]
    [InlineData("127.0.0.1:0", "port 0 is out of range 1-65535")]
    [InlineData("127.0.0.1:65536", "port 65536 is out of range 1-65535")]
    [InlineData("127.0.0.1:-1", "port '-1' is not a number")]
    [InlineData("::1:9847", "without brackets")]
    [InlineData("[::1]9847", "is not [ipv6]:port")]
    [InlineData("[nonsense]:9847", "is not an IPv6 address")]
    [InlineData("example.org:9847", "is not an IP address")]
    public void TryParse_Invalid_SaysWhy(string text, string expected)
    {
        Assert.False(ListenAddress.TryParse(text, out var address, out var error));

        Assert.Null(address);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
