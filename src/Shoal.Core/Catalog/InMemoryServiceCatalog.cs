namespace Shoal.Catalog;

/// <summary>A process-local catalog: copy-on-write snapshots, waiters released on every change.</summary>
public sealed class InMemoryServiceCatalog : IServiceCatalog
{
    private readonly Lock _lock = new();
    private readonly CatalogPublisher _publisher = new();

    /// <inheritdoc />
    public CatalogSnapshot Current => _publisher.Current;

    /// <inheritdoc />
    public ValueTask UpsertAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        lock (_lock)
        {
            var instances = Current.Instances;
            var at = IndexOf(instances, instance.Service, instance.Id);
            if (at >= 0 && instances[at] == instance)
            {
                return ValueTask.CompletedTask;
            }

            _publisher.Publish(at >= 0 ? instances.SetItem(at, instance) : instances.Add(instance));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string service, string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var at = IndexOf(Current.Instances, service, id);
            if (at < 0)
            {
                return ValueTask.FromResult(false);
            }

            _publisher.Publish(Current.Instances.RemoveAt(at));
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public ValueTask<CatalogSnapshot> WaitForChangeAsync(long index, CancellationToken cancellationToken) =>
        _publisher.WaitForChangeAsync(index, cancellationToken);

    private static int IndexOf(System.Collections.Immutable.ImmutableArray<ServiceInstance> instances, string service, string id)
    {
        for (var i = 0; i < instances.Length; i++)
        {
            if (string.Equals(instances[i].Service, service, StringComparison.Ordinal) && string.Equals(instances[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
