using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Sends each request to the instance with the fewest requests in flight; the scan starts at a rotating offset so ties spread.</summary>
internal sealed class LeastRequestsPolicy : ILoadBalancingPolicy
{
    private readonly PerCluster<Counter> _offsets = new();

    public string Name => Strategies.LeastRequests;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var count = available.Count;
        var start = (int)((uint)_offsets.For(cluster).Next() % (uint)count);
        var best = available[start];
        var bestLoad = best.ConcurrentRequestCount;
        for (var i = 1; i < count && bestLoad > 0; i++)
        {
            var candidate = available[(start + i) % count];
            var load = candidate.ConcurrentRequestCount;
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
            }
        }

        return best;
    }
}
