using System.Runtime.CompilerServices;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>State a shared policy keeps for each service, released with the service.</summary>
internal sealed class PerCluster<T>
    where T : class, new()
{
    private readonly ConditionalWeakTable<ClusterState, T> _table = [];

    public T For(ClusterState cluster) => _table.GetOrCreateValue(cluster);
}
