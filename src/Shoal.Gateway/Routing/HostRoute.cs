using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Routing;

/// <summary>A request's service when its Host named it (<see cref="HostRouting"/>): it goes there whatever its path.</summary>
/// <param name="Cluster">The service.</param>
internal sealed record HostRoute(ClusterState Cluster)
{
    /// <summary>The service the request's Host named, or null when its path decides.</summary>
    public static ClusterState? Of(HttpContext context) => context.Features.Get<HostRoute>()?.Cluster;
}
