using Shoal.Gateway.Configuration;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.LoadBalancing;

public sealed class LoadAwarePolicyTests
{
    [Theory]
    [InlineData(Strategies.LeastRequests)]
    [InlineData(Strategies.PowerOfTwo)]
    public void PickDestination_AvoidsTheBusyInstance(string strategy)
    {
        var (_, cluster) = Cluster(new LoadBalancingSettings { Strategy = strategy }, Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3));
        var busy = cluster.Available[1];
        for (var i = 0; i < 5; i++)
        {
            busy.BeginRequest();
        }

        var picks = Enumerable.Range(0, 300).Select(_ => Pick(cluster)).ToList();

        Assert.DoesNotContain("app-2", picks);
        Assert.Contains("app-1", picks);
        Assert.Contains("app-3", picks);
    }

    [Fact]
    public void Random_SpreadsOverAll()
    {
        var (_, cluster) = Cluster(new LoadBalancingSettings { Strategy = Strategies.Random }, Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3));

        var counts = Enumerable.Range(0, 3000).Select(_ => Pick(cluster)).GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());

        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150));
    }
}
