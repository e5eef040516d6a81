using Shoal.Catalog;

namespace Shoal.Registry;

/// <summary>An instance as registered: what it declares, plus the TTL that keeps it alive.</summary>
/// <param name="Instance">The instance with its declared health (TTL expiry not applied).</param>
/// <param name="Ttl">Without a heartbeat for this long the instance counts as critical; null for no TTL.</param>
/// <param name="DeregisterAfter">Critical this long after its TTL ran out, the instance is removed; null to keep it.</param>
public sealed record Registration(ServiceInstance Instance, TimeSpan? Ttl = null, TimeSpan? DeregisterAfter = null)
{
    /// <summary>The instance as clients see it: critical while its TTL has run out.</summary>
    public ServiceInstance Effective(bool expired) => expired ? Instance with { Health = InstanceHealth.Critical } : Instance;
}
