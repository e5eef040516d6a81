namespace Shoal.Catalog;

/// <summary>Where instances are registered and discovered. The gateway follows it; the stack and external services write to it.</summary>
public interface IServiceCatalog
{
    /// <summary>The current view.</summary>
    CatalogSnapshot Current { get; }

    /// <summary>Adds an instance or replaces the one with the same service and id.</summary>
    ValueTask UpsertAsync(ServiceInstance instance, CancellationToken cancellationToken = default);

    /// <summary>Removes an instance; returns false when it was not there.</summary>
    ValueTask<bool> RemoveAsync(string service, string id, CancellationToken cancellationToken = default);

    /// <summary>Completes with the first snapshot whose index is above <paramref name="index"/>.</summary>
    ValueTask<CatalogSnapshot> WaitForChangeAsync(long index, CancellationToken cancellationToken);
}
