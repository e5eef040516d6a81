using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;
using Shoal.Utilities;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Sends each request to a uniformly random available instance.</summary>
internal sealed class RandomPolicy(IRandomFactory random) : ILoadBalancingPolicy
{
    private readonly Random _random = random.CreateRandomInstance();

    public string Name => Strategies.Random;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available) =>
        available[_random.Next(available.Count)];
}
