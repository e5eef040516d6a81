using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;

namespace Shoal.Gateway.Tests.LoadBalancing;

public sealed class RoundRobinPolicyTests
{
    [Fact]
    public void PickDestination_CyclesThroughEveryInstanceInOrder()
    {
        var state = GatewayTestData.State(new RouteDefinition("/**", "app"));
        state.Apply(GatewayTestData.Snapshot(1, GatewayTestData.Instance("app-1", 1), GatewayTestData.Instance("app-2", 2), GatewayTestData.Instance("app-3", 3)));
        var cluster = state.Routes.Match("/")!;
        var policy = new RoundRobinPolicy();

        var picks = Enumerable.Range(0, 300).Select(_ => policy.PickDestination(new DefaultHttpContext(), cluster, cluster.Available)!.Id).ToList();

        Assert.Equal(["app-1", "app-2", "app-3", "app-1"], picks.Take(4));
        Assert.All(picks.GroupBy(p => p), g => Assert.Equal(100, g.Count()));
    }
}
