using Shoal.Bench.Results;
using Shoal.Bench.Slo;

namespace Shoal.Bench.Tests.Slo;

public sealed class SloSpecTests
{
    private static readonly StepResult s_result = new()
    {
        Name = "total",
        Model = "closed",
        DurationSeconds = 10,
        Requests = 1000,
        Ok = 990,
        Errors = 10,
        Latency = new LatencyFigures(P50: 5, P90: 9, P95: 12, P99: 40, P999: 80, Max: 120, Min: 1, Mean: 6, StdDev: 3),
    };

    [Theory]
    [InlineData("p99<100ms", true, 40)]
    [InlineData("p99<0.04s", false, 40)]
    [InlineData("p50<=5", true, 5)]
    [InlineData("p99.9<80000us", false, 80)]
    [InlineData("errors=0", false, 10)]
    [InlineData("errors<=10", true, 10)]
    [InlineData("error_rate<2%", true, 0.01)]
    [InlineData("error_rate<0.005", false, 0.01)]
    [InlineData("rps>=100", true, 100)]
    [InlineData("rps > 100", false, 100)]
    [InlineData("max<121ms", true, 120)]
    public void Evaluate_ComparesTheMeasuredValue(string text, bool met, double actual)
    {
        var outcome = Assert.Single(SloSpec.ParseList(text)).Evaluate(s_result);

        Assert.Equal(met, outcome.Met);
        Assert.Equal(actual, outcome.Actual!.Value, 6);
    }

    [Theory]
    [InlineData("p99<100ms")]
    [InlineData("p50<=5")]
    [InlineData("max<1s")]
    [InlineData("mean>=0")]
    public void Evaluate_LatencyWithoutASuccessfulRequest_IsMissed(string text)
    {
        var allFailed = s_result with { Ok = 0, Errors = 1000, Latency = new LatencyFigures(0, 0, 0, 0, 0, 0, 0, 0, 0) };

        var outcome = Assert.Single(SloSpec.ParseList(text)).Evaluate(allFailed);

        Assert.False(outcome.Met);
        Assert.Null(outcome.Actual);
        Assert.Equal("no successful request", outcome.ActualText);
    }

    [Theory]
    [InlineData("errors>=1000", true)]
    [InlineData("error_rate<=100%", true)]
    [InlineData("rps>=100", true)]
    public void Evaluate_CountsWithoutASuccessfulRequest_AreStillJudged(string text, bool met)
    {
        var allFailed = s_result with { Ok = 0, Errors = 1000, Latency = new LatencyFigures(0, 0, 0, 0, 0, 0, 0, 0, 0) };

        Assert.Equal(met, Assert.Single(SloSpec.ParseList(text)).Evaluate(allFailed).Met);
    }

    [Fact]
    public void ParseList_SeveralClauses_KeepsTheirOrder()
    {
        Assert.Equal(["p50", "p95", "errors", "rps"], SloSpec.ParseList("p50<100ms, p95<100ms,errors=0,rps>=100").Select(s => s.Metric));
    }

    [Theory]
    [InlineData("p99", "SLO 'p99': expected METRIC OP VALUE, e.g. p99<100ms, errors=0, rps>=100")]
    [InlineData("latency<3ms", "SLO 'latency<3ms': unknown metric 'latency'; use p50, p90, p95, p99, p99.9, max, mean, errors, error_rate or rps")]
    [InlineData("p99<3m", "SLO 'p99<3m': latency takes us, ms or s, not 'm'")]
    [InlineData("rps>10ms", "SLO 'rps>10ms': rps takes a plain number")]
    public void ParseList_Invalid_SaysWhy(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => SloSpec.ParseList(text)).Message);
    }
}
