using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Limits;

namespace Shoal.Gateway.Tests.Limits;

public sealed class ClientConnectionCounterTests
{
    private static ClientConnectionCounter Counter(int perClient) => new(perClient, [], new FakeTimeProvider(), NullLogger.Instance);

    [Fact]
    public void TryEnter_UpToTheLimitPerAddress_ThenRefusesThatAddressOnly()
    {
        var counter = Counter(2);
        var a = ClientConnectionCounter.KeyOf(IPAddress.Parse("127.0.0.2"));
        var b = ClientConnectionCounter.KeyOf(IPAddress.Parse("127.0.0.1"));

        Assert.True(counter.TryEnter(a));
        Assert.True(counter.TryEnter(a));
        Assert.False(counter.TryEnter(a));
        Assert.True(counter.TryEnter(b));
        Assert.Equal(2, counter.MaxOpen);
    }

    [Fact]
    public void Exit_FreesASlot_AndForgetsAnAddressWithNoneOpen()
    {
        var counter = Counter(1);
        var a = ClientConnectionCounter.KeyOf(IPAddress.Parse("10.0.0.1"));
        Assert.True(counter.TryEnter(a));

        counter.Exit(a);

        Assert.Equal(0, counter.MaxOpen);
        Assert.True(counter.TryEnter(a));
    }

    [Fact]
    public void KeyOf_IPv6_CountsTheWholeSlash64AsOneClient()
    {
        Assert.Equal(ClientConnectionCounter.KeyOf(IPAddress.Parse("2001:db8:1:2::1")), ClientConnectionCounter.KeyOf(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(ClientConnectionCounter.KeyOf(IPAddress.Parse("2001:db8:1:2::1")), ClientConnectionCounter.KeyOf(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void KeyOf_IPv4MappedAddress_IsTheIPv4Address()
    {
        Assert.Equal(ClientConnectionCounter.KeyOf(IPAddress.Parse("192.0.2.7")), ClientConnectionCounter.KeyOf(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.NotEqual(ClientConnectionCounter.KeyOf(IPAddress.Parse("0.0.0.1")), ClientConnectionCounter.KeyOf(IPAddress.Parse("::1")));
    }
}
