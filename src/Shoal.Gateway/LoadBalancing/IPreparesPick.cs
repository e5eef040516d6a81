using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// A policy that must look something up before it can pick (the session table in Redis): the handler awaits this once per
/// request, before the first pick, so <see cref="ILoadBalancingPolicy.PickDestination"/> stays synchronous.
/// </summary>
internal interface IPreparesPick
{
    ValueTask PrepareAsync(HttpContext context, ClusterState cluster);
}
