using System.Collections.Immutable;

namespace Shoal.Catalog;

/// <summary>A process-local catalog: copy-on-write snapshots, waiters released on every change.</summary>
public sealed class InMemoryServiceCatalog : IServiceCatalog
{
    private readonly Lock _lock = new();
    private CatalogSnapshot _current = CatalogSnapshot.Empty;
    private TaskCompletionSource<CatalogSnapshot> _changed = NewSignal();

    /// <inheritdoc />
    public CatalogSnapshot Current => Volatile.Read(ref _current);

    /// <inheritdoc />
    public ValueTask UpsertAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        lock (_lock)
        {
            var instances = _current.Instances;
            var at = IndexOf(instances, instance.Service, instance.Id);
            if (at >= 0 && instances[at] == instance)
            {
                return ValueTask.CompletedTask;
            }

            instances = at >= 0 ? instances.SetItem(at, instance) : Sorted(instances.Add(instance));
            Publish(instances);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string service, string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var at = IndexOf(_current.Instances, service, id);
            if (at < 0)
            {
                return ValueTask.FromResult(false);
            }

            Publish(_current.Instances.RemoveAt(at));
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public async ValueTask<CatalogSnapshot> WaitForChangeAsync(long index, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<CatalogSnapshot> signal;
            lock (_lock)
            {
                if (_current.Index > index)
                {
                    return _current;
                }

                signal = _changed.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Publish(ImmutableArray<ServiceInstance> instances)
    {
        var snapshot = new CatalogSnapshot(_current.Index + 1, instances);
        Volatile.Write(ref _current, snapshot);
        var released = _changed;
        _changed = NewSignal();
        released.SetResult(snapshot);
    }

    private static int IndexOf(ImmutableArray<ServiceInstance> instances, string service, string id)
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

    private static ImmutableArray<ServiceInstance> Sorted(ImmutableArray<ServiceInstance> instances) =>
        instances.Sort(static (a, b) =>
        {
            var byService = string.CompareOrdinal(a.Service, b.Service);
            return byService != 0 ? byService : InstanceIdComparer.Instance.Compare(a.Id, b.Id);
        });

    private static TaskCompletionSource<CatalogSnapshot> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
