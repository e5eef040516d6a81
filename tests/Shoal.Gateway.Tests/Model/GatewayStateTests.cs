using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Catalog;
using Shoal.Events;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Redis;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Model;

public sealed class GatewayStateTests
{
    [Fact]
    public void Apply_OnlyRoutableInstancesAreAvailable()
    {
        var state = State(new RouteDefinition("/**", "app"));

        state.Apply(Snapshot(1, Instance("app-1", 1), Instance("app-2", 2, InstanceHealth.Critical), Instance("app-3", 3) with { Draining = true }));

        var cluster = state.Routes.Match("/")!;
        Assert.Equal(["app-1"], cluster.Available.Select(d => d.Id));
        Assert.Equal(["app-1", "app-2", "app-3"], cluster.AllDestinations.Select(d => d.Id));
    }

    /// <summary>A service limited to one request a minute and one in flight.</summary>
    private static (GatewayState State, ClusterState Cluster, RateLimiters Limiters) OneOfEachLimit()
    {
        var options = new GatewayOptions();
        options.Services["app"] = new ServiceRoutingOptions
        {
            RateLimit = new RateLimitSettings { Limit = 1, Window = TimeSpan.FromMinutes(1) },
            Resilience = new ResilienceSettings { Bulkhead = new BulkheadSettings { MaxConcurrent = 1 } },
        };
        var state = State(options, TimeProvider.System, new RouteDefinition("/**", "app"));
        return (state, state.Routes.Match("/")!, new RateLimiters(options, new RedisLinks(options, NullLoggerFactory.Instance, TimeProvider.System), TimeProvider.System));
    }

    [Fact]
    public async Task Configure_NewStrategy_KeepsTheRateLimitCountsAndTheBulkheadPermits()
    {
        var (state, cluster, limiters) = OneOfEachLimit();
        Assert.True(await limiters.AdmitAsync(Request(), cluster, cluster.Config));
        using var permit = cluster.Config.Bulkhead!.AttemptAcquire();
        Assert.True(permit.IsAcquired);

        state.Configure("app", cluster.Config.Options with { LoadBalancing = new LoadBalancingSettings { Strategy = "random" } });

        // The one request of the minute and the one slot are still taken: a strategy change must not hand out more.
        Assert.Equal("random", cluster.Config.Options.LoadBalancing.Strategy);
        Assert.False(await limiters.AdmitAsync(Request(), cluster, cluster.Config));
        Assert.False(cluster.Config.Bulkhead!.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public async Task Configure_OtherLimits_StartsThemAfresh()
    {
        var (state, cluster, limiters) = OneOfEachLimit();
        Assert.True(await limiters.AdmitAsync(Request(), cluster, cluster.Config));
        using var permit = cluster.Config.Bulkhead!.AttemptAcquire();

        state.Configure("app", cluster.Config.Options with
        {
            RateLimit = new RateLimitSettings { Limit = 2, Window = TimeSpan.FromMinutes(1) },
            Resilience = new ResilienceSettings { Bulkhead = new BulkheadSettings { MaxConcurrent = 2 } },
        });

        Assert.True(await limiters.AdmitAsync(Request(), cluster, cluster.Config));
        using var second = cluster.Config.Bulkhead!.AttemptAcquire();
        Assert.True(second.IsAcquired);
    }

    [Fact]
    public void Apply_SameInstanceAgain_KeepsItsDestinationAndCounters()
    {
        var state = State(new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, Instance("app-1", 1)));
        var before = state.FindDestination("app", "app-1")!;
        before.BeginRequest();

        state.Apply(Snapshot(2, Instance("app-1", 1) with { Weight = 5 }));

        var after = state.FindDestination("app", "app-1")!;
        Assert.Same(before, after);
        Assert.Equal(1, after.ConcurrentRequestCount);
        Assert.Equal(5, after.Instance.Weight);
    }

    [Fact]
    public void Apply_RestartedInstance_GetsAFreshDestination()
    {
        var state = State(new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, Instance("app-1", 1)));
        var before = state.FindDestination("app", "app-1")!;
        before.TryEject();

        state.Apply(Snapshot(2, Instance("app-1", 1) with { RegisteredAt = DateTimeOffset.UnixEpoch.AddSeconds(1) }));

        var after = state.FindDestination("app", "app-1")!;
        Assert.NotSame(before, after);
        Assert.False(after.IsEjected);
    }

    [Fact]
    public void Rebuild_EjectedInstance_LeavesRotation_UnlessAllAreEjected()
    {
        var state = State(new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, Instance("app-1", 1), Instance("app-2", 2)));
        var cluster = state.Routes.Match("/")!;

        state.FindDestination("app", "app-1")!.TryEject();
        state.Rebuild();
        Assert.Equal(["app-2"], cluster.Available.Select(d => d.Id));

        // Panic: with every instance ejected, trying them all beats refusing every request.
        state.FindDestination("app", "app-2")!.TryEject();
        state.Rebuild();
        Assert.Equal(["app-1", "app-2"], cluster.Available.Select(d => d.Id));
    }

    [Fact]
    public void Apply_RemovedInstance_IsDropped()
    {
        var state = State(new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, Instance("app-1", 1), Instance("app-2", 2)));

        state.Apply(Snapshot(2, Instance("app-1", 1)));

        Assert.Null(state.FindDestination("app", "app-2"));
        Assert.Equal(["app-1"], state.Routes.Match("/")!.AllDestinations.Select(d => d.Id));
    }

    [Fact]
    public async Task WaitForIndex_CompletesWhenTheIndexIsApplied()
    {
        var state = State(new RouteDefinition("/**", "app"));
        var waiting = state.WaitForIndexAsync(2, CancellationToken.None);
        state.Apply(Snapshot(1));
        Assert.False(waiting.IsCompleted);

        state.Apply(Snapshot(2));

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Configure_ReplacedSettings_PublishedAsConfigReloaded()
    {
        var published = new List<PlatformEvent>();
        var state = State(new GatewayOptions { Events = new Recorder(published) }, TimeProvider.System, new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, Instance("app-1", 1)));

        state.Configure("app", ServiceRoutingOptions.Default with { LoadBalancing = LoadBalancingSettings.Default with { Strategy = "least-requests" } });

        var reloaded = Assert.Single(published);
        Assert.Equal(PlatformEventTypes.ConfigReloaded, reloaded.Type);
        Assert.Equal("app", reloaded.Service);
        Assert.Equal("least-requests", reloaded.Details!["strategy"]);
        Assert.Equal("load_balancing", reloaded.Details["section"]);
    }

    private sealed class Recorder(List<PlatformEvent> published) : IPlatformEvents
    {
        public void Publish(PlatformEvent platformEvent) => published.Add(platformEvent);
    }
}
