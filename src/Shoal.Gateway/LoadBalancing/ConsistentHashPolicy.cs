using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// Consistent hashing on a ketama ring (not Maglev: a ring moves only the keys of an instance that leaves, while Maglev
/// also shuffles a few others; lookups stay O(log n) over a few thousand points). The key comes from a header, cookie,
/// query parameter, the path or the client address; a request without one is balanced round robin.
/// </summary>
internal sealed class ConsistentHashPolicy(GatewayOptions options) : ILoadBalancingPolicy
{
    private readonly PerCluster<SnapshotCache<HashRing>> _rings = new();
    private readonly RoundRobinPolicy _fallback = new();

    public string Name => Strategies.ConsistentHash;

    public bool KeepsAffinity => true;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var settings = cluster.LoadBalancing;
        if (Key(context, settings.HashKey, options) is not { } hash)
        {
            return _fallback.PickDestination(context, cluster, available);
        }

        return _rings.For(cluster).Get(available, settings, static (d, s) => HashRing.Build(d, s.VirtualNodes)).Pick(hash, settings.BoundedLoad);
    }

    /// <summary>A key stays on its version as on its instance: the version follows the key's hash.</summary>
    public RequestAffinity GetAffinity(HttpContext context, ClusterState cluster) =>
        RequestAffinity.ByKey(Key(context, cluster.LoadBalancing.HashKey, options));

    internal static ulong? Key(HttpContext context, string? source, GatewayOptions options)
    {
        switch (source)
        {
            case null:
                return null;
            case "path":
                return HashRing.HashOf(context.Request.Path.Value);
            case "ip":
                return ClientAddress.Hash(context, options.TrustedProxies);
        }

        var colon = source.IndexOf(':', StringComparison.Ordinal);
        var name = source[(colon + 1)..];
        string? value = source.AsSpan(0, colon) switch
        {
            "header" => context.Request.Headers[name].FirstOrDefault(),
            "cookie" => context.Request.Cookies[name],
            "query" => context.Request.Query[name].FirstOrDefault(),
            _ => null,
        };
        return string.IsNullOrEmpty(value) ? null : HashRing.HashOf(value);
    }
}
