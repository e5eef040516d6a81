using System.Collections.Immutable;

namespace Shoal.Catalog;

/// <summary>An immutable view of every known instance at one <see cref="Index"/>.</summary>
/// <param name="Index">Grows by at least one with every change.</param>
/// <param name="Instances">All instances, ordered by service then id.</param>
public sealed record CatalogSnapshot(long Index, ImmutableArray<ServiceInstance> Instances)
{
    /// <summary>The empty catalog.</summary>
    public static CatalogSnapshot Empty { get; } = new(0, []);

    /// <summary>The instances of one service.</summary>
    public IEnumerable<ServiceInstance> ForService(string service) =>
        Instances.Where(i => string.Equals(i.Service, service, StringComparison.Ordinal));
}
