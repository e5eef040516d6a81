using Shoal.Catalog;

namespace Shoal.Registry;

/// <summary>A registration and whether its TTL has run out.</summary>
public sealed record RegistryEntry(Registration Registration, bool Expired)
{
    /// <summary>The instance as clients see it.</summary>
    public ServiceInstance Instance => Registration.Effective(Expired);
}
