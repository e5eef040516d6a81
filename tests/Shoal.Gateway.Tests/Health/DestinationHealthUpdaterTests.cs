using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using Shoal.Gateway.Resilience;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Health;

public sealed class DestinationHealthUpdaterTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly InstanceProber _prober;
    private readonly PassiveHealthMonitor _passive;
    private readonly ClusterState _cluster;
    private readonly DestinationHealthUpdater _updater;

    public DestinationHealthUpdaterTests()
    {
        var options = new GatewayOptions();
        options.Routes.Add(new RouteDefinition("/**", "app"));
        options.Services["app"] = new ServiceRoutingOptions
        {
            Resilience = ResilienceSettings.Default with
            {
                CircuitBreaker = new CircuitBreakerSettings { ConsecutiveFailures = 2, FailureRatio = 0 },
                Outliers = new OutlierSettings { ConsecutiveFailures = 2 },
            },
        };
        var state = new GatewayState(options, Policies(options, _time), _time);
        state.Apply(Snapshot(1, Instance("app-1", 1), Instance("app-2", 2)));
        _cluster = state.Routes.Match("/")!;
        _prober = new InstanceProber(_time);
        _passive = new PassiveHealthMonitor(state, _prober, _time, NullLogger<PassiveHealthMonitor>.Instance);
        _updater = new DestinationHealthUpdater(_passive, _time);
    }

    private DestinationState App1 => _cluster.AllDestinations[0];

    public void Dispose()
    {
        _passive.Dispose();
        _prober.Dispose();
    }

    [Fact]
    public void OnFailed_CountsOnceInTheBreakerAndOnceInPassiveHealth()
    {
        _updater.OnFailed(_cluster, App1, refused: false, "HTTP 500");

        Assert.Equal(CircuitState.Closed, App1.Circuit);
        Assert.False(App1.IsEjected);

        _updater.OnFailed(_cluster, App1, refused: false, "HTTP 500");

        Assert.Equal(CircuitState.Open, App1.Circuit);
        Assert.True(App1.IsEjected);
    }

    [Fact]
    public void OnFailed_Refused_EjectsAtOnce()
    {
        _updater.OnFailed(_cluster, App1, refused: true, "connection refused");

        Assert.True(App1.IsEjected);
        Assert.Equal(CircuitState.Closed, App1.Circuit);
    }

    [Fact]
    public void OnSucceeded_ResetsTheBreakerAndPassiveHealthCounts()
    {
        _updater.OnFailed(_cluster, App1, refused: false, "HTTP 500");
        _updater.OnSucceeded(App1);
        _updater.OnFailed(_cluster, App1, refused: false, "HTTP 500");

        Assert.Equal(CircuitState.Closed, App1.Circuit);
        Assert.False(App1.IsEjected);
    }

    [Fact]
    public void OnAnswered_RecordsTheLatencyForStallDetection()
    {
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(30));

        _updater.OnAnswered(_cluster, App1, started);

        Assert.Equal((TimeSpan.FromMilliseconds(30), 1L), App1.Progress.TakeMeanLatency());
    }

    [Fact]
    public void OnUnanswered_OnlyAnAttemptOlderThanTheSignalAgeIsAStallSign()
    {
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _updater.OnUnanswered(App1, started, signalAge: TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.Zero, App1.Progress.OwedFor(_time, _time.GetTimestamp(), inFlight: 0));

        _time.Advance(TimeSpan.FromMilliseconds(5));
        _updater.OnUnanswered(App1, started, signalAge: TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(10), App1.Progress.OwedFor(_time, _time.GetTimestamp(), inFlight: 0));
    }
}
