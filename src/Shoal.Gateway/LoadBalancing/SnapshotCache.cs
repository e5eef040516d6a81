using Shoal.Gateway.Model;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// A value derived from one destination snapshot and the settings in force, rebuilt when either changes (off the common
/// path: snapshots change on catalog or health events, settings on an admin call).
/// </summary>
internal sealed class SnapshotCache<T>
    where T : class
{
    private Entry? _entry;

    public T Get<TKey>(IReadOnlyList<DestinationState> source, TKey key, Func<IReadOnlyList<DestinationState>, TKey, T> build)
        where TKey : class
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && ReferenceEquals(entry.Source, source) && ReferenceEquals(entry.Key, key))
        {
            return entry.Value;
        }

        var value = build(source, key);
        Volatile.Write(ref _entry, new Entry(source, key, value));
        return value;
    }

    private sealed record Entry(object Source, object Key, T Value);
}
