using HdrHistogram;
using Shoal.Bench.Transport;

namespace Shoal.Bench.Engine;

/// <summary>One worker's counts. Only its worker writes; the reporter reads latency through the recorder and the totals through volatile reads.</summary>
internal sealed class Tally
{
    /// <summary>Latencies are recorded in microseconds, up to an hour.</summary>
    public const long MaxLatencyMicros = 3_600_000_000;

    private long _completed;
    private long _errors;

    public Recorder Latency { get; } = NewRecorder();

    public long[] Status { get; } = new long[600];

    public long[] ErrorKinds { get; } = new long[Enum.GetValues<ErrorKind>().Length];

    public Dictionary<string, long> Distribution { get; } = new(StringComparer.Ordinal);

    public long Completed => Volatile.Read(ref _completed);

    public long Errors => Volatile.Read(ref _errors);

    public void Success(long micros, BenchResponse response)
    {
        if (response.Status >= 400)
        {
            Error(ErrorKind.Status);
        }
        else
        {
            Latency.RecordValue(Math.Clamp(micros, 1, MaxLatencyMicros));
            Interlocked.Increment(ref _completed);
        }

        if ((uint)response.Status < Status.Length)
        {
            Status[response.Status]++;
        }

        if (response.CountKey is { } key)
        {
            Distribution[key] = Distribution.GetValueOrDefault(key) + 1;
        }
    }

    public void Error(ErrorKind kind)
    {
        ErrorKinds[(int)kind]++;
        Interlocked.Increment(ref _errors);
        Interlocked.Increment(ref _completed);
    }

    public static HistogramBase NewHistogram() => new LongHistogram(MaxLatencyMicros, 3);

    private static Recorder NewRecorder() =>
        HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(MaxLatencyMicros).WithPrecisionOf(3).WithThreadSafeWrites().WithThreadSafeReads().Create();
}
