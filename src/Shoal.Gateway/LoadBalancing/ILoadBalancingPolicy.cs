using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// Picks the instance a request goes to. Implement it in your own assembly to add a strategy, list the assembly under
/// <c>gateway.plugins</c> and name the strategy in a service's <c>load_balancing</c>; its settings are in
/// <see cref="ClusterState.LoadBalancing"/>. A plugin policy needs a public parameterless constructor.
/// </summary>
/// <remarks>Called on every request, from many threads at once: keep it allocation-free and lock-free.</remarks>
public interface ILoadBalancingPolicy
{
    /// <summary>The name <c>load_balancing</c> uses for this policy.</summary>
    string Name { get; }

    /// <summary>
    /// True when the policy promises that a key stays on its instance (a session, a cache shard). The gateway then does not
    /// hedge the service's requests: a hedge to another instance would break the promise whenever one is a little slow.
    /// </summary>
    bool KeepsAffinity => false;

    /// <summary>Picks one of <paramref name="available"/> (never empty), or null to refuse the request.</summary>
    DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available);

    /// <summary>
    /// What ties <paramref name="context"/> to earlier requests, asked only while a traffic split is in force, before the
    /// split chooses a version (and before <see cref="PickDestination"/>). The default: nothing, so the split spreads the
    /// requests evenly by its weight.
    /// </summary>
    RequestAffinity GetAffinity(HttpContext context, ClusterState cluster) => default;
}
