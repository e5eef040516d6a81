using Shoal.Gateway.Model;

namespace Shoal.Gateway.Tests.Model;

public sealed class LatencyEstimateTests
{
    [Fact]
    public void Quantile_FewerThanMinSamples_IsNull()
    {
        var estimate = new LatencyEstimate();
        for (var i = 0; i < LatencyEstimate.MinSamples - 1; i++)
        {
            estimate.Record(TimeSpan.FromMilliseconds(1));
        }

        Assert.Null(estimate.Quantile(0.99));
        estimate.Record(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(estimate.Quantile(0.99));
    }

    [Fact]
    public void Quantile_P99_IsWithinAQuarterAboveTheTrueValue()
    {
        var estimate = new LatencyEstimate();
        for (var i = 1; i <= 1000; i++)
        {
            estimate.Record(TimeSpan.FromMilliseconds(i));
        }

        var p99 = estimate.Quantile(0.99)!.Value;
        Assert.InRange(p99.TotalMilliseconds, 990, 990 * 1.25);
        var p50 = estimate.Quantile(0.5)!.Value;
        Assert.InRange(p50.TotalMilliseconds, 500, 500 * 1.25);
    }

    [Fact]
    public void Rotate_TwiceForgetsTheOldWindow()
    {
        var estimate = new LatencyEstimate();
        for (var i = 0; i < 200; i++)
        {
            estimate.Record(TimeSpan.FromSeconds(1));
        }

        estimate.Rotate();
        for (var i = 0; i < 200; i++)
        {
            estimate.Record(TimeSpan.FromMilliseconds(2));
        }

        Assert.True(estimate.Quantile(0.99) >= TimeSpan.FromSeconds(1));
        estimate.Rotate();
        Assert.True(estimate.Quantile(0.99) <= TimeSpan.FromMilliseconds(2.5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(1_000_000)]
    [InlineData(3_600_000_000)]
    public void BucketOf_UpperBoundHoldsTheValue(long micros)
    {
        var value = TimeSpan.FromMicroseconds(micros);
        Assert.True(LatencyEstimate.UpperBound(LatencyEstimate.BucketOf(value)) >= value);
        Assert.True(LatencyEstimate.UpperBound(LatencyEstimate.BucketOf(value)) <= TimeSpan.FromMicroseconds(Math.Max(8, micros * 1.25)));
    }
}
