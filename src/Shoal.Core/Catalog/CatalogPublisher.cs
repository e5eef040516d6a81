using System.Collections.Immutable;

namespace Shoal.Catalog;

/// <summary>
/// The publishing half of a catalog: holds the current snapshot, gives every new one the next index in service-then-id
/// order, and releases everyone waiting for a change. Callers serialize <see cref="Publish"/> themselves.
/// </summary>
public sealed class CatalogPublisher
{
    private readonly Lock _lock = new();
    private CatalogSnapshot _current = CatalogSnapshot.Empty;
    private TaskCompletionSource<CatalogSnapshot> _changed = NewSignal();

    /// <summary>The current snapshot.</summary>
    public CatalogSnapshot Current => Volatile.Read(ref _current);

    /// <summary>A task that completes with the next snapshot published.</summary>
    public Task<CatalogSnapshot> NextChange
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>Publishes <paramref name="instances"/> (in any order) as the next snapshot.</summary>
    public CatalogSnapshot Publish(IEnumerable<ServiceInstance> instances)
    {
        var sorted = instances.ToImmutableArray().Sort(static (a, b) =>
        {
            var byService = string.CompareOrdinal(a.Service, b.Service);
            return byService != 0 ? byService : InstanceIdComparer.Instance.Compare(a.Id, b.Id);
        });
        TaskCompletionSource<CatalogSnapshot> released;
        CatalogSnapshot snapshot;
        lock (_lock)
        {
            snapshot = new CatalogSnapshot(_current.Index + 1, sorted);
            Volatile.Write(ref _current, snapshot);
            released = _changed;
            _changed = NewSignal();
        }

        released.SetResult(snapshot);
        return snapshot;
    }

    /// <summary>Completes with the first snapshot whose index is above <paramref name="index"/>.</summary>
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

    private static TaskCompletionSource<CatalogSnapshot> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
