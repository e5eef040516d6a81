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
    public void AffinityKeys_KeepTheirVersion_AndOnlyMoveToTheCanaryAsTheWeightGrows()
    {
        var keys = Enumerable.Range(0, 2000).Select(i => Shoal.Gateway.LoadBalancing.HashRing.HashOf($"session-{i}")).ToList();
        var at20 = new TrafficSplit("1", "2", 20);
        var at50 = new TrafficSplit("1", "2", 50);

        var first = keys.Select(k => at20.Choose(Request(), k)).ToList();
        var again = keys.Select(k => at20.Choose(Request(), k)).ToList();
        var later = keys.Select(k => at50.Choose(Request(), k)).ToList();

        Assert.Equal(first, again);
        Assert.InRange(first.Count(v => v == "2") / 2000.0, 0.17, 0.23);
        Assert.InRange(later.Count(v => v == "2") / 2000.0, 0.46, 0.54);
        Assert.All(first.Zip(later).Where(p => p.First == "2"), p => Assert.Equal("2", p.Second));
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
