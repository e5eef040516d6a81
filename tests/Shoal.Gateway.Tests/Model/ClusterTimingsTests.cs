using Polly;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;
using Shoal.Gateway.Resilience;

namespace Shoal.Gateway.Tests.Model;

public sealed class ClusterTimingsTests
{
    private static ClusterConfig Config(ResilienceSettings resilience, string strategy = Strategies.RoundRobin) =>
        new(new ServiceRoutingOptions { Resilience = resilience, LoadBalancing = new LoadBalancingSettings { Strategy = strategy } }, GatewayTestData.Policies(new GatewayOptions(), TimeProvider.System).Single(p => p.Name == strategy), ResiliencePipeline<AttemptOutcome>.Empty);

    private static readonly TimeSpan s_ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void From_NoEstimate_NoHedgingTenSecondStallThresholdAndTheConfiguredTimeout()
    {
        var timings = ClusterTimings.From(Config(ResilienceSettings.Default), p99: null);

        Assert.Null(timings.HedgeDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), timings.StallThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), timings.RequestConfig.ActivityTimeout);
    }

    [Theory]
    [InlineData(2, 10, 500, 5000)]
    [InlineData(30, 30, 500, 5000)]
    [InlineData(200, 200, 800, 5000)]
    [InlineData(800, 800, 3200, 8000)]
    [InlineData(5000, 5000, 20000, 30000)]
    public void From_Estimate_DerivesHedgeDelayStallThresholdAndAttemptTimeout(int p99, int hedge, int stall, int attempt)
    {
        var timings = ClusterTimings.From(Config(ResilienceSettings.Default), p99 * s_ms);

        Assert.Equal(hedge * s_ms, timings.HedgeDelay);
        Assert.Equal(stall * s_ms, timings.StallThreshold);
        Assert.Equal(attempt * s_ms, timings.RequestConfig.ActivityTimeout);
    }

    [Fact]
    public void From_ExplicitSettings_WinOverTheEstimate()
    {
        var resilience = ResilienceSettings.Default with
        {
            Timeout = TimeSpan.FromSeconds(2),
            AttemptTimeout = 700 * s_ms,
            Hedging = new HedgingSettings { Delay = 50 * s_ms },
            StallDetection = new StallDetectionSettings { Threshold = 300 * s_ms },
        };

        var timings = ClusterTimings.From(Config(resilience), 2 * s_ms);

        Assert.Equal(50 * s_ms, timings.HedgeDelay);
        Assert.Equal(300 * s_ms, timings.StallThreshold);
        Assert.Equal(700 * s_ms, timings.RequestConfig.ActivityTimeout);
    }

    [Fact]
    public void From_HedgingDisabled_NoHedgeDelay()
    {
        var resilience = ResilienceSettings.Default with { Hedging = new HedgingSettings { Enabled = false, Delay = 50 * s_ms } };

        Assert.Null(ClusterTimings.From(Config(resilience), 2 * s_ms).HedgeDelay);
    }

    [Theory]
    [InlineData(Strategies.Session)]
    [InlineData(Strategies.IpHash)]
    [InlineData(Strategies.ConsistentHash)]
    public void From_PolicyKeepsAffinity_NoHedging(string strategy)
    {
        var resilience = ResilienceSettings.Default with { Hedging = new HedgingSettings { Delay = 50 * s_ms } };

        Assert.Null(ClusterTimings.From(Config(resilience, strategy), 2 * s_ms).HedgeDelay);
        Assert.Equal(50 * s_ms, ClusterTimings.From(Config(resilience, Strategies.LeastRequests), 2 * s_ms).HedgeDelay);
    }

    [Fact]
    public void From_AttemptTimeoutCappedByTheTimeout()
    {
        var resilience = ResilienceSettings.Default with { Timeout = TimeSpan.FromSeconds(1) };

        Assert.Equal(TimeSpan.FromSeconds(1), ClusterTimings.From(Config(resilience), 900 * s_ms).RequestConfig.ActivityTimeout);
    }

    [Fact]
    public void From_SameTimeoutAsBefore_ReusesTheForwarderSettings()
    {
        var config = Config(ResilienceSettings.Default);
        var first = ClusterTimings.From(config, 800 * s_ms);

        Assert.Same(first.RequestConfig, ClusterTimings.From(config, 799 * s_ms, first).RequestConfig);
        Assert.Same(config.RequestConfig, ClusterTimings.From(config, null, first).RequestConfig);
    }
}
