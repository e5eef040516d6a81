using HdrHistogram;

namespace Shoal.Bench.Results;

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencyFigures(double P50, double P90, double P95, double P99, double P999, double Max, double Min, double Mean, double StdDev)
{
    /// <summary>The figures of a histogram recorded in microseconds.</summary>
    public static LatencyFigures From(HistogramBase micros)
    {
        ArgumentNullException.ThrowIfNull(micros);
        if (micros.TotalCount == 0)
        {
            return new LatencyFigures(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        double At(double p) => micros.GetValueAtPercentile(p) / 1000.0;
        var min = micros.RecordedValues().Select(v => v.ValueIteratedTo).FirstOrDefault();
        return new LatencyFigures(At(50), At(90), At(95), At(99), At(99.9), micros.GetMaxValue() / 1000.0, min / 1000.0, micros.GetMean() / 1000.0, micros.GetStdDeviation() / 1000.0);
    }
}
