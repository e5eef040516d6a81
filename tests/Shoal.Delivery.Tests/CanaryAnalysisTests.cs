namespace Shoal.Delivery.Tests;

public class CanaryAnalysisTests
{
    private static readonly AnalysisThresholds s_limits = new() { MaxErrorRate = 0.05, MaxP99 = TimeSpan.FromMilliseconds(200), MinRequests = 20 };

    private static VersionOutcomes Window(long requests, long errors = 0, double milliseconds = 5) =>
        new(requests, errors, [new LatencyBucket(10, milliseconds <= 10 ? requests : 0), new LatencyBucket(1000, milliseconds > 10 ? requests : 0)]);

    [Fact]
    public void Judge_HealthyWindow_Passes()
    {
        Assert.Equal(CanaryVerdict.Pass, CanaryAnalysis.Judge(s_limits, Window(100), Window(100), out var reason));
        Assert.Null(reason);
    }

    [Fact]
    public void Judge_FewerRequestsThanMinimum_WaitsEvenWithErrors()
    {
        Assert.Equal(CanaryVerdict.Wait, CanaryAnalysis.Judge(s_limits, Window(19, errors: 19), Window(100), out var reason));
        Assert.Equal("19 canary requests in the window, fewer than 20", reason);
    }

    [Fact]
    public void Judge_ErrorRateAboveLimitAndStable_Fails()
    {
        Assert.Equal(CanaryVerdict.Fail, CanaryAnalysis.Judge(s_limits, Window(100, errors: 10), Window(100, errors: 1), out var reason));
        Assert.StartsWith("error rate ", reason, StringComparison.Ordinal);
        Assert.Contains("over 100 requests", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_ErrorRateAboveLimitButStableWorse_Passes()
    {
        Assert.Equal(CanaryVerdict.Pass, CanaryAnalysis.Judge(s_limits, Window(100, errors: 10), Window(100, errors: 20), out _));
    }

    [Fact]
    public void Judge_P99AboveLimitAndStable_Fails()
    {
        Assert.Equal(CanaryVerdict.Fail, CanaryAnalysis.Judge(s_limits, Window(100, milliseconds: 500), Window(100), out var reason));
        Assert.Equal("p99 1000 ms over 100 requests is above 200 ms (stable 10 ms)", reason);
    }

    [Fact]
    public void Judge_NoMinimumAndNoRequests_Passes()
    {
        Assert.Equal(CanaryVerdict.Pass, CanaryAnalysis.Judge(s_limits with { MinRequests = 0 }, VersionOutcomes.None, VersionOutcomes.None, out _));
    }

    [Fact]
    public void Since_SubtractsTotalsBucketByBucket()
    {
        var window = Window(30, errors: 3).Since(Window(10, errors: 1));
        Assert.Equal(20, window.Requests);
        Assert.Equal(0.1, window.ErrorRate, 6);
        Assert.Equal(10, window.Quantile(0.99));
    }
}
