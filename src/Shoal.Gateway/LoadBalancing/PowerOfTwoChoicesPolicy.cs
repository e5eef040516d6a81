using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;
using Shoal.Utilities;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Picks two random instances and sends the request to the one with fewer requests in flight.</summary>
internal sealed class PowerOfTwoChoicesPolicy(IRandomFactory random) : ILoadBalancingPolicy
{
    private readonly Random _random = random.CreateRandomInstance();

    public string Name => Strategies.PowerOfTwo;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var count = available.Count;
        if (count == 1)
        {
            return available[0];
        }

        var first = _random.Next(count);
        var second = _random.Next(count - 1);
        if (second >= first)
        {
            second++;
        }

        var a = available[first];
        var b = available[second];
        return a.ConcurrentRequestCount <= b.ConcurrentRequestCount ? a : b;
    }
}
