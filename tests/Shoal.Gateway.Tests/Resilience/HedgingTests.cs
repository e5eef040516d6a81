using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Shoal.Gateway.Resilience;

namespace Shoal.Gateway.Tests.Resilience;

public sealed class HedgingTests
{
    [Theory]
    [InlineData("GET", null, true)]
    [InlineData("HEAD", null, true)]
    [InlineData("OPTIONS", 0L, true)]
    [InlineData("GET", 5L, false)]
    [InlineData("POST", null, false)]
    [InlineData("PUT", null, false)]
    [InlineData("DELETE", null, false)]
    public void IsHedgeable_IdempotentWithoutABody(string method, long? contentLength, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.ContentLength = contentLength;

        Assert.Equal(expected, Hedging.IsHedgeable(context));
    }

    [Fact]
    public void IsHedgeable_ChunkedBodyOrUpgrade_IsNot()
    {
        var chunked = new DefaultHttpContext();
        chunked.Request.Method = "GET";
        chunked.Request.Headers.TransferEncoding = "chunked";
        var upgrade = new DefaultHttpContext();
        upgrade.Request.Method = "GET";
        upgrade.Features.Set<IHttpUpgradeFeature>(new Upgradable());

        Assert.False(Hedging.IsHedgeable(chunked));
        Assert.False(Hedging.IsHedgeable(upgrade));
    }

    private sealed class Upgradable : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => true;

        public Task<Stream> UpgradeAsync() => throw new NotSupportedException();
    }
}
