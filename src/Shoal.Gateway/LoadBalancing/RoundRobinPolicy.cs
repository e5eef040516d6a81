using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Sends each request to the next available instance in order.</summary>
internal sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private readonly ConditionalWeakTable<ClusterState, Counter> _counters = [];

    public string Name => LoadBalancingPolicies.RoundRobin;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var counter = _counters.GetOrCreateValue(cluster);
        var next = (uint)Interlocked.Increment(ref counter.Value) - 1;
        return available[(int)(next % (uint)available.Count)];
    }

    private sealed class Counter
    {
        public int Value;
    }
}
