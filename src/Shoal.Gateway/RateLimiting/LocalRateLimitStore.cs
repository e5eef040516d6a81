using System.Collections.Concurrent;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// One limit's counters in this gateway's memory, at most <see cref="MaxKeys"/> keys: past it, keys whose quota is whole
/// again are forgotten (exact), then the least recently seen tenth (they start over with a whole quota), so a flood of
/// new keys costs bounded memory.
/// </summary>
internal sealed class LocalRateLimitStore(RateLimitSettings settings, TimeProvider time, int maxKeys = LocalRateLimitStore.DefaultMaxKeys) : IRateLimitStore
{
    /// <summary>Keys kept per limit unless told otherwise.</summary>
    public const int DefaultMaxKeys = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _idleAfterMs = RateLimitMath.IdleAfterMs(settings);
    private int _pruning;

    /// <summary>The most keys kept.</summary>
    public int MaxKeys => maxKeys;

    /// <summary>Keys held now (internal for tests).</summary>
    internal int Count => _entries.Count;

    public ValueTask<RateLimitDecision?> AcquireAsync(string key) => new(Acquire(key));

    public RateLimitDecision Acquire(string key)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = _entries.GetOrAdd(key, static _ => new Entry());
            if (_entries.Count > maxKeys)
            {
                Prune(now);
            }
        }

        lock (entry)
        {
            entry.LastSeen = now;
            return RateLimitMath.Decide(ref entry.State, now, settings);
        }
    }

    private void Prune(long now)
    {
        if (Interlocked.Exchange(ref _pruning, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (key, entry) in _entries)
            {
                if (now - Volatile.Read(ref entry.LastSeen) >= _idleAfterMs)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            var excess = _entries.Count - maxKeys;
            if (excess > 0)
            {
                // Every key is live: forgetting the oldest tenth in one go keeps this sort rare under a flood.
                var drop = Math.Max(excess, maxKeys / 10);
                foreach (var key in _entries.OrderBy(kv => Volatile.Read(ref kv.Value.LastSeen)).Take(drop).Select(kv => kv.Key).ToList())
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _pruning, 0);
        }
    }

    private sealed class Entry
    {
        public BucketState State = new();
        public long LastSeen;
    }
}
