using Microsoft.Extensions.Primitives;
using Shoal.Gateway.Limits;

namespace Shoal.Gateway.Tests.Limits;

public sealed class HopCheckTests
{
    private const string Self = "shoal-0a1b2c3d4e5f";

    [Fact]
    public void Refusal_FirstVisit_LetsTheRequestThroughAndCountsNoHops()
    {
        Assert.Null(HopCheck.Refusal(StringValues.Empty, StringValues.Empty, Self, maxHops: 10, out var hops));
        Assert.Equal(0, hops);
    }

    [Theory]
    [InlineData("1.1 shoal-0a1b2c3d4e5f")]
    [InlineData("1.1 nginx, 1.1 SHOAL-0A1B2C3D4E5F")]
    [InlineData("HTTP/1.1 shoal-0a1b2c3d4e5f (Shoal)")]
    [InlineData("1.0 fred, 1.1 shoal-ffffffffffff, 1.1 shoal-0a1b2c3d4e5f, 1.1 shoal-eeeeeeeeeeee")]
    public void Refusal_ViaAlreadyNamesThisGateway_IsALoop(string via)
    {
        var reason = HopCheck.Refusal(via, "2", Self, maxHops: 10, out _);

        Assert.Equal("The request came back to this gateway (shoal-0a1b2c3d4e5f is already in its Via header): an instance of the service routes to a gateway that routes back here.", reason);
    }

    [Fact]
    public void Refusal_ViaOnSeveralLines_IsReadWhole()
    {
        Assert.NotNull(HopCheck.Refusal(new StringValues(["1.1 nginx", "1.1 shoal-0a1b2c3d4e5f"]), StringValues.Empty, Self, 10, out _));
    }

    [Theory]
    [InlineData("1.1 shoal-0a1b2c3d4e5f0")]
    [InlineData("1.1 other-shoal-0a1b2c3d4e5f")]
    [InlineData("1.1 proxy (via shoal-0a1b2c3d4e5f)")]
    public void Refusal_OtherGatewaysAndLookalikes_AreNotALoop(string via)
    {
        Assert.Null(HopCheck.Refusal(via, "3", Self, maxHops: 10, out var hops));
        Assert.Equal(3, hops);
    }

    [Theory]
    [InlineData("9", null)]
    [InlineData("10", "The request has passed 10 Shoal gateways, the limit is 10: the gateways forward it in a loop.")]
    [InlineData("250", "The request has passed 250 Shoal gateways, the limit is 10: the gateways forward it in a loop.")]
    public void Refusal_HopCount_IsCappedAtMaxHops(string header, string? expected)
    {
        Assert.Equal(expected, HopCheck.Refusal(StringValues.Empty, header, Self, maxHops: 10, out _));
    }

    [Theory]
    [InlineData("abc", 0)]
    [InlineData("-5", 0)]
    [InlineData("99999999999999", 0)]
    [InlineData(" 4", 0)]
    public void Hops_GarbledValue_CountsAsNone(string header, int expected)
    {
        Assert.Equal(expected, HopCheck.Hops(header));
    }

    [Fact]
    public void Hops_SeveralValues_TakesTheHighest()
    {
        Assert.Equal(7, HopCheck.Hops(new StringValues(["2", "7", "x"])));
    }
}
