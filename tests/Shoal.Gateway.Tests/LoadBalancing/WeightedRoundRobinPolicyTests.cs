using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Configuration;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.LoadBalancing;

public sealed class WeightedRoundRobinPolicyTests
{
    [Fact]
    public void Sequence_FiveThreeTwo_IsSmoothNotBursty()
    {
        var sequence = WeightedRoundRobinPolicy.Sequence([5, 3, 2]);

        Assert.Equal([0, 1, 2, 0, 0, 1, 0, 2, 1, 0], sequence);
    }

    [Fact]
    public void PickDestination_ThousandRequests_FollowTheWeightsWithShortRuns()
    {
        var (_, cluster) = Cluster(new LoadBalancingSettings { Strategy = Strategies.Weighted },
            Instance("app-1", 1, weight: 5), Instance("app-2", 2, weight: 3), Instance("app-3", 3, weight: 2));

        var picks = Enumerable.Range(0, 1000).Select(_ => Pick(cluster)).ToList();

        Assert.Equal(500, picks.Count(p => p == "app-1"));
        Assert.Equal(300, picks.Count(p => p == "app-2"));
        Assert.Equal(200, picks.Count(p => p == "app-3"));
        var longestRun = picks.Select((p, i) => picks.Skip(i).TakeWhile(q => q == p).Count()).Max();
        Assert.True(longestRun <= 2, $"longest run {longestRun}");
    }

    [Fact]
    public void Sequence_ZeroWeight_NeverPicked_AndHugeWeightsAreScaled()
    {
        Assert.DoesNotContain(1, WeightedRoundRobinPolicy.Sequence([2, 0, 1]));
        var scaled = WeightedRoundRobinPolicy.Sequence([1_000_000, 500_000]);
        Assert.True(scaled.Length <= WeightedRoundRobinPolicy.MaxSequence);
        Assert.Equal(2.0, (double)scaled.Count(i => i == 0) / scaled.Count(i => i == 1), 2);
    }
}
