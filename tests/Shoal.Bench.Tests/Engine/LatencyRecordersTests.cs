using Shoal.Bench.Engine;

namespace Shoal.Bench.Tests.Engine;

public sealed class LatencyRecordersTests
{
    [Fact]
    public void Drain_ValuesRecordedOnSeveralThreads_AllLandInTheHistogramOnce()
    {
        using var recorders = new LatencyRecorders();
        RecordOnThreads(recorders, threads: 3, perThread: 1000, micros: 250);
        recorders.Drain();
        RecordOnThreads(recorders, threads: 2, perThread: 500, micros: 4000);
        recorders.Drain();
        recorders.Drain();

        Assert.Equal(4000, recorders.Histogram.TotalCount);
        Assert.Equal(3000, recorders.Histogram.GetCountAtValue(250));
        Assert.Equal(1000, recorders.Histogram.GetCountAtValue(4000));
    }

    [Fact]
    public void Record_OutOfRange_IsClampedToOneMicrosecondAndAnHour()
    {
        using var recorders = new LatencyRecorders();
        recorders.Record(0);
        recorders.Record(LatencyRecorders.MaxLatencyMicros * 2);
        recorders.Drain();

        Assert.Equal(2, recorders.Histogram.TotalCount);
        Assert.Equal(1, recorders.Histogram.GetCountAtValue(1));
        Assert.InRange(recorders.Histogram.GetValueAtPercentile(100), LatencyRecorders.MaxLatencyMicros * 0.999, LatencyRecorders.MaxLatencyMicros * 1.001);
    }

    private static void RecordOnThreads(LatencyRecorders recorders, int threads, int perThread, long micros)
    {
        var started = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                recorders.Record(micros);
            }
        })).ToList();
        started.ForEach(t => t.Start());
        started.ForEach(t => t.Join());
    }
}
