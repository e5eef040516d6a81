using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Tests;

public sealed class TrafficSplitTests
{
    private static HttpRequest Request(string? canaryHeader = null)
    {
        var context = new DefaultHttpContext();
        if (canaryHeader is not null)
        {
            context.Request.Headers["x-canary"] = canaryHeader;
        }

        return context.Request;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(33)]
    [InlineData(100)]
    public void Weight_IsExactOverEveryHundredRequests_AndNeverBunched(int weight)
    {
        var split = new TrafficSplit("1", "2", weight);

        var picks = Enumerable.Range(0, 1000).Select(_ => split.Choose(Request())).ToList();

        for (var window = 0; window < 1000; window += 100)
        {
            Assert.Equal(weight, picks.Skip(window).Take(100).Count(v => v == "2"));
        }

        if (weight is > 0 and < 50)
        {
            // Spread evenly: never two canary picks in a row below 50 %.
            Assert.DoesNotContain(picks.Zip(picks.Skip(1)), p => p.First == "2" && p.Second == "2");
        }
    }

    [Fact]
    public void TargetingHeader_SendsToTheCanary_AtZeroWeight_AndOtherValuesDoNot()
    {
        var split = new TrafficSplit("1", "2", 0);

        Assert.Equal("2", split.Choose(Request("always")));
        Assert.Equal("2", split.Choose(Request("ALWAYS")));
        Assert.Equal("1", split.Choose(Request("never")));
        Assert.Equal("1", split.Choose(Request()));
    }

    [Fact]
    public void VersionStats_WindowAndQuantiles_FollowWhatWasRecorded()
    {
        var stats = new VersionStats();
        for (var i = 0; i < 90; i++)
        {
            stats.Record("2", 200, 1);
        }

        var before = stats.Snapshot("2");
        for (var i = 0; i < 95; i++)
        {
            stats.Record("2", 200, 2);
        }

        for (var i = 0; i < 5; i++)
        {
            stats.Record("2", 503, 800);
        }

        var window = stats.Snapshot("2").Since(before);
        Assert.Equal(100, window.Requests);
        Assert.Equal(0.05, window.ErrorRate, 3);
        Assert.InRange(VersionStats.Quantile(window, 0.5), 2, 2.5);
        Assert.InRange(VersionStats.Quantile(window, 0.99), 800, 1000);
        Assert.Equal(0, stats.Snapshot("unknown").Requests);
    }
}
