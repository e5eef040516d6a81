using HdrHistogram;

namespace Shoal.Bench.Engine;

/// <summary>
/// One step's latencies: a recorder per thread that records, drained together into the step's histogram. The workers'
/// continuations run on a few threads (the socket engine's, on 2 cores two), so a tick merges a few histograms instead
/// of one per connection (each ~180 KB at 3 digits up to an hour), and a recording never contends with another thread's.
/// </summary>
internal sealed class LatencyRecorders : IDisposable
{
    /// <summary>Latencies are recorded in microseconds, up to an hour.</summary>
    public const long MaxLatencyMicros = 3_600_000_000;

    private readonly ThreadLocal<Recorder> _recorders = new(NewRecorder, trackAllValues: true);
    private readonly Dictionary<Recorder, HistogramBase> _recycled = [];

    /// <summary>Everything drained so far.</summary>
    public HistogramBase Histogram { get; } = NewHistogram();

    /// <summary>Records one latency on the calling thread's recorder.</summary>
    public void Record(long micros) => _recorders.Value!.RecordValue(Math.Clamp(micros, 1, MaxLatencyMicros));

    /// <summary>Moves what every recorder has recorded since the last drain into <see cref="Histogram"/>; one caller at a time.</summary>
    public void Drain()
    {
        foreach (var recorder in _recorders.Values)
        {
            var interval = recorder.GetIntervalHistogram(_recycled.GetValueOrDefault(recorder));
            Histogram.Add(interval);
            _recycled[recorder] = interval;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _recorders.Dispose();

    /// <summary>An empty histogram with the recorders' range and precision.</summary>
    public static HistogramBase NewHistogram() => new LongHistogram(MaxLatencyMicros, 3);

    // Single-writer histograms (each recorder has one thread); the recorder's phaser keeps the drain's reads safe.
    private static Recorder NewRecorder() =>
        HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(MaxLatencyMicros).WithPrecisionOf(3).WithThreadSafeReads().Create();
}
