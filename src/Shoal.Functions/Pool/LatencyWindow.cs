namespace Shoal.Functions.Pool;

/// <summary>The last <see cref="Capacity"/> invocation durations of a function, for a p99 that follows what it does now.</summary>
internal sealed class LatencyWindow
{
    /// <summary>How many durations are kept.</summary>
    public const int Capacity = 128;

    /// <summary>Fewer samples than this give no percentile: one slow first call says little.</summary>
    public const int MinSamples = 16;

    // The percentile is sorted out of the window at most once per this many new samples.
    private const int RecomputeEvery = 16;

    private readonly Lock _lock = new();
    private readonly long[] _ticks = new long[Capacity];
    private int _count;
    private int _next;
    private int _sinceComputed = RecomputeEvery;
    private TimeSpan? _p99;

    /// <summary>Samples held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Adds one duration.</summary>
    public void Add(TimeSpan duration)
    {
        lock (_lock)
        {
            _ticks[_next] = Math.Max(0, duration.Ticks);
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
            _sinceComputed++;
        }
    }

    /// <summary>The 99th percentile of the window, or null with fewer than <see cref="MinSamples"/> samples.</summary>
    public TimeSpan? P99()
    {
        lock (_lock)
        {
            if (_count < MinSamples)
            {
                return null;
            }

            if (_sinceComputed >= RecomputeEvery || _p99 is null)
            {
                var sorted = _ticks.AsSpan(0, _count).ToArray();
                Array.Sort(sorted);
                var rank = (int)Math.Ceiling(0.99 * _count) - 1;
                _p99 = TimeSpan.FromTicks(sorted[Math.Clamp(rank, 0, _count - 1)]);
                _sinceComputed = 0;
            }

            return _p99;
        }
    }
}
