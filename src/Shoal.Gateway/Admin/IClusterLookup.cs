using Shoal.Gateway.Model;

namespace Shoal.Gateway.Admin;

/// <summary>
/// Read access to a running gateway's services, for what sits beside it (deployments reading the traffic split and
/// per-version counts), as YARP's <c>IProxyStateLookup</c>: a typed handle, no service look-up through the host.
/// </summary>
public interface IClusterLookup
{
    /// <summary>The live state of <paramref name="service"/>, or null when the gateway routes no such service.</summary>
    ClusterState? Find(string service);

    /// <summary>Every service the gateway routes.</summary>
    IReadOnlyCollection<ClusterState> Clusters { get; }
}
