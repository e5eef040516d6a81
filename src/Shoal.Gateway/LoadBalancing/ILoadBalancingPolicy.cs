using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Picks the instance a request goes to. Implement it to add a strategy and name it in <c>shoal.yml</c>.</summary>
/// <remarks>Called on every request: keep it allocation-free and lock-free.</remarks>
public interface ILoadBalancingPolicy
{
    /// <summary>The name <c>load_balancing</c> uses for this policy.</summary>
    string Name { get; }

    /// <summary>Picks one of <paramref name="available"/> (never empty), or null to refuse the request.</summary>
    DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available);
}
