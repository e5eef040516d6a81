using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.LoadBalancing;

public sealed class SessionAffinityPolicyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Header_SameSession_SameInstance_AndAnUnhealthyOneMovesOnceAndStays()
    {
        var (state, cluster) = Cluster(new GatewayOptions(), _time, new LoadBalancingSettings { Strategy = Strategies.Session },
            Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3));
        var pinned = Enumerable.Range(0, 20).ToDictionary(k => k, k => Pick(cluster, Request("/", ("X-Session-Id", $"s{k}"))));
        Assert.All(Enumerable.Range(0, 20), k => Assert.Equal(pinned[k], Pick(cluster, Request("/", ("X-Session-Id", $"s{k}")))));

        state.Apply(Snapshot(2, Instance("app-1", 1), Instance("app-2", 2, InstanceHealth.Critical), Instance("app-3", 3)));
        var moved = Enumerable.Range(0, 20).ToDictionary(k => k, k => Pick(cluster, Request("/", ("X-Session-Id", $"s{k}"))));
        state.Apply(Snapshot(3, Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3)));
        var afterReturn = Enumerable.Range(0, 20).ToDictionary(k => k, k => Pick(cluster, Request("/", ("X-Session-Id", $"s{k}"))));

        Assert.All(Enumerable.Range(0, 20), k =>
        {
            Assert.NotEqual("app-2", moved[k]);
            Assert.True(pinned[k] == "app-2" || moved[k] == pinned[k], "only app-2's sessions move");
            Assert.Equal(moved[k], afterReturn[k]);
        });
    }

    [Fact]
    public void Header_IdleSession_IsForgotten()
    {
        var (_, cluster) = Cluster(new GatewayOptions(), _time, new LoadBalancingSettings { Strategy = Strategies.Session, SessionIdleTimeout = TimeSpan.FromMinutes(1) },
            Instance("app-1", 1), Instance("app-2", 2));
        var first = Pick(cluster, Request("/", ("X-Session-Id", "s")));
        Assert.Equal(first, Pick(cluster, Request("/", ("X-Session-Id", "s"))));

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.NotEqual(first, Pick(cluster, Request("/", ("X-Session-Id", "s"))));
    }

    [Fact]
    public void Cookie_NewClientGetsACookie_ThatPinsIt()
    {
        var (_, cluster) = Cluster(new LoadBalancingSettings { Strategy = Strategies.Session, SessionCookie = "shoal-affinity" },
            Instance("app-1", 1), Instance("app-2", 2));
        var first = Request("/");

        var chosen = Pick(cluster, first);
        var cookie = first.Response.Headers.SetCookie.ToString().Split(';')[0];

        Assert.StartsWith("shoal-affinity=", cookie, StringComparison.Ordinal);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(chosen, Pick(cluster, Request("/", ("Cookie", cookie)))));
    }
}
