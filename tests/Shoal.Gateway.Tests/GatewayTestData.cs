using Microsoft.AspNetCore.Http;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;
using Shoal.Utilities;

namespace Shoal.Gateway.Tests;

internal static class GatewayTestData
{
    /// <summary>No backoff to wait out on the fake clock; breaker, ejection and hedging only where a test turns them on.</summary>
    public static readonly ResilienceSettings QuietResilience = ResilienceSettings.Default with
    {
        Retries = new RetrySettings { Backoff = TimeSpan.Zero },
        CircuitBreaker = new CircuitBreakerSettings { ConsecutiveFailures = 0, FailureRatio = 0 },
        Outliers = new OutlierSettings { ConsecutiveFailures = 0 },
        Hedging = new HedgingSettings { Enabled = false },
    };

    public static ServiceInstance Instance(string id, int port, InstanceHealth health = InstanceHealth.Passing, string service = "app", int weight = 1) =>
        new() { Service = service, Id = id, Port = port, Health = health, Weight = weight, RegisteredAt = DateTimeOffset.UnixEpoch };

    public static GatewayState State(params RouteDefinition[] routes) => State(new GatewayOptions(), TimeProvider.System, routes);

    public static GatewayState State(GatewayOptions options, TimeProvider time, params RouteDefinition[] routes)
    {
        foreach (var route in routes)
        {
            options.Routes.Add(route);
        }

        return new GatewayState(options, Policies(options, time), time);
    }

    public static IEnumerable<ILoadBalancingPolicy> Policies(GatewayOptions options, TimeProvider time)
    {
        var random = new SeededRandom(42);
        return
        [
            new RoundRobinPolicy(), new RandomPolicy(random), new LeastRequestsPolicy(), new PowerOfTwoChoicesPolicy(random),
            new WeightedRoundRobinPolicy(), new IpHashPolicy(options), new SessionAffinityPolicy(time), new ConsistentHashPolicy(options),
        ];
    }

    public static CatalogSnapshot Snapshot(long index, params ServiceInstance[] instances) => new(index, [.. instances]);

    /// <summary>A cluster named "app" with the given instances and strategy.</summary>
    public static (GatewayState State, ClusterState Cluster) Cluster(LoadBalancingSettings settings, params ServiceInstance[] instances) =>
        Cluster(new GatewayOptions(), TimeProvider.System, settings, instances);

    public static (GatewayState State, ClusterState Cluster) Cluster(GatewayOptions options, TimeProvider time, LoadBalancingSettings settings, params ServiceInstance[] instances)
    {
        options.Services["app"] = new ServiceRoutingOptions { LoadBalancing = settings };
        var state = State(options, time, new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, instances));
        return (state, state.Routes.Match("/")!);
    }

    public static HttpContext Request(string path = "/", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    public static string Pick(ClusterState cluster, HttpContext? context = null) =>
        cluster.Config.Policy.PickDestination(context ?? Request(), cluster, cluster.Available)!.Id;

    private sealed class SeededRandom(int seed) : IRandomFactory
    {
        public Random CreateRandomInstance() => new(seed);
    }
}
