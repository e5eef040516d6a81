using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Sends each request to the next available instance in order.</summary>
internal sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private readonly PerCluster<Counter> _counters = new();

    public string Name => Strategies.RoundRobin;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available) =>
        available[(int)((uint)_counters.For(cluster).Next() % (uint)available.Count)];
}
