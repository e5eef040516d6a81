using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Keeps each client address on one instance: the address (X-Forwarded-For from trusted proxies only) on a consistent-hash ring.</summary>
internal sealed class IpHashPolicy(GatewayOptions options) : ILoadBalancingPolicy
{
    private readonly PerCluster<SnapshotCache<HashRing>> _rings = new();
    private readonly RoundRobinPolicy _fallback = new();

    public string Name => Strategies.IpHash;

    public bool KeepsAffinity => true;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        if (ClientAddress.Hash(context, options.TrustedProxies) is not { } hash)
        {
            return _fallback.PickDestination(context, cluster, available);
        }

        var settings = cluster.LoadBalancing;
        return _rings.For(cluster).Get(available, settings, static (d, s) => HashRing.Build(d, s.VirtualNodes)).Pick(hash, settings.BoundedLoad);
    }

    /// <summary>A client stays on its version as on its instance: the version follows the address's hash.</summary>
    public RequestAffinity GetAffinity(HttpContext context, ClusterState cluster) =>
        RequestAffinity.ByKey(ClientAddress.Hash(context, options.TrustedProxies));
}
