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

    /// <summary>The order of a snapshot: by service, then naturally by id.</summary>
    public static IComparer<(string Service, string Id)> Order { get; } = Comparer<(string Service, string Id)>.Create(static (a, b) =>
    {
        var byService = string.CompareOrdinal(a.Service, b.Service);
        return byService != 0 ? byService : InstanceIdComparer.Instance.Compare(a.Id, b.Id);
    });

    /// <summary>Publishes <paramref name="instances"/> as the next snapshot; they are sorted unless <paramref name="inOrder"/> says they already are.</summary>
    public CatalogSnapshot Publish(IEnumerable<ServiceInstance> instances, bool inOrder = false)
    {
        var sorted = inOrder ? instances.ToImmutableArray() : instances.ToImmutableArray().Sort(static (a, b) => Order.Compare((a.Service, a.Id), (b.Service, b.Id)));
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
