using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Forwarding;

/// <summary>What an attempt needs from the request handler to hedge: another instance to send to.</summary>
internal interface IHedgeTargets
{
    /// <summary>
    /// An available instance other than <paramref name="tried"/> (of the same version while a split is in force), with a
    /// request slot taken; null when there is none. <paramref name="busy"/> is true when there were such instances but each
    /// had more than half the requests in flight of the least busy one tried: a later look may find one.
    /// </summary>
    DestinationState? PickHedgeTarget(HttpContext context, ClusterState cluster, ClusterConfig config, List<DestinationState> tried, out bool busy);
}
