using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.LoadBalancing;

/// <summary>The affinity each built-in policy reports to a traffic split (<see cref="ILoadBalancingPolicy.GetAffinity"/>) and its hedging promise.</summary>
public sealed class PolicyAffinityTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(Strategies.RoundRobin, false)]
    [InlineData(Strategies.Random, false)]
    [InlineData(Strategies.LeastRequests, false)]
    [InlineData(Strategies.PowerOfTwo, false)]
    [InlineData(Strategies.Weighted, false)]
    [InlineData(Strategies.Session, true)]
    [InlineData(Strategies.IpHash, true)]
    [InlineData(Strategies.ConsistentHash, true)]
    public void KeepsAffinity_OnlyTheAffinityStrategies(string strategy, bool keeps)
    {
        var policy = Policies(new GatewayOptions(), _time).Single(p => p.Name == strategy);

        Assert.Equal(keeps, policy.KeepsAffinity);
    }

    [Fact]
    public void GetAffinity_StrategyWithoutAffinity_Nothing()
    {
        var (_, cluster) = Cluster(new GatewayOptions(), _time, LoadBalancingSettings.Default, Instance("app-1", 1));

        Assert.Equal(default, cluster.Config.Policy.GetAffinity(Request("/", ("X-Session-Id", "s")), cluster));
    }

    [Fact]
    public void GetAffinity_SessionHeader_KeyIsTheSessionsHash()
    {
        var (_, cluster) = Cluster(new GatewayOptions(), _time, new LoadBalancingSettings { Strategy = Strategies.Session }, Instance("app-1", 1));
        var policy = cluster.Config.Policy;

        Assert.Equal(RequestAffinity.ByKey(HashRing.HashOf("s1")), policy.GetAffinity(Request("/", ("X-Session-Id", "s1")), cluster));
        Assert.Equal(default, policy.GetAffinity(Request("/"), cluster));
    }

    [Fact]
    public void GetAffinity_SessionCookie_PinsTheInstanceItNames_EvenOneOutOfRotation()
    {
        var (state, cluster) = Cluster(new GatewayOptions(), _time, new LoadBalancingSettings { Strategy = Strategies.Session, SessionCookie = "sid" },
            Instance("app-1", 1), Instance("app-2", 2));
        state.Apply(Snapshot(2, Instance("app-1", 1), Instance("app-2", 2, Catalog.InstanceHealth.Critical)));
        var app2 = cluster.AllDestinations.Single(d => d.Id == "app-2");

        var affinity = cluster.Config.Policy.GetAffinity(Request("/", ("Cookie", $"sid={SessionAffinityPolicy.TokenOf(app2)}")), cluster);

        Assert.Same(app2, affinity.Pinned);
        Assert.Null(affinity.Key);
        Assert.Equal(default, cluster.Config.Policy.GetAffinity(Request("/", ("Cookie", "sid=unknown")), cluster));
    }

    [Fact]
    public void GetAffinity_IpHash_KeyIsTheClientAddressHash()
    {
        var options = new GatewayOptions();
        var (_, cluster) = Cluster(options, _time, new LoadBalancingSettings { Strategy = Strategies.IpHash }, Instance("app-1", 1));
        var context = Request("/");

        Assert.Equal(RequestAffinity.ByKey(ClientAddress.Hash(context, options.TrustedProxies)), cluster.Config.Policy.GetAffinity(context, cluster));
    }

    [Fact]
    public void GetAffinity_ConsistentHash_KeyIsTheHashKeysHash()
    {
        var (_, cluster) = Cluster(new GatewayOptions(), _time, new LoadBalancingSettings { Strategy = Strategies.ConsistentHash, HashKey = "header:X-Tenant" }, Instance("app-1", 1));

        Assert.Equal(RequestAffinity.ByKey(HashRing.HashOf("t1")), cluster.Config.Policy.GetAffinity(Request("/", ("X-Tenant", "t1")), cluster));
        Assert.Equal(default, cluster.Config.Policy.GetAffinity(Request("/"), cluster));
    }
}
