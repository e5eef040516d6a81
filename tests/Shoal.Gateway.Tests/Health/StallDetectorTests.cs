using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Health;

public sealed class StallDetectorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly GatewayState _state;
    private readonly ClusterState _cluster;
    private readonly InstanceProber _prober;
    private readonly StallDetector _detector;

    public StallDetectorTests()
    {
        var (state, cluster) = Cluster(new GatewayOptions(), _time, LoadBalancingSettings.Default, Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3));
        _state = state;
        _cluster = cluster;
        _prober = new InstanceProber(_time);
        _detector = new StallDetector(state, _prober, _time, NullLogger<StallDetector>.Instance);

        // A p99 of about 2 ms: the stall threshold is its floor, 500 ms.
        for (var i = 0; i < 500; i++)
        {
            cluster.Latency.Record(TimeSpan.FromMilliseconds(2));
        }
    }

    public void Dispose()
    {
        _detector.Dispose();
        _prober.Dispose();
    }

    private DestinationState D(int i) => _cluster.AllDestinations[i - 1];

    private string[] Available => [.. _cluster.Available.Select(d => d.Id)];

    /// <summary>Advances fake time tick by tick and looks on each; the given instances answer on every tick, the rest do not.</summary>
    private void Run(TimeSpan duration, params int[] answering) => Step(duration, scan: true, answering);

    /// <summary>The same with the detector started: its own timer looks, as it would.</summary>
    private void Advance(TimeSpan duration, params int[] answering) => Step(duration, scan: false, answering);

    private void Step(TimeSpan duration, bool scan, int[] answering)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += StallDetector.Tick)
        {
            _time.Advance(StallDetector.Tick);
            foreach (var i in answering)
            {
                D(i).Progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(2));
            }

            if (scan)
            {
                _detector.Scan();
            }
        }
    }

    [Fact]
    public void Scan_InstanceBusyWithoutAnswering_IsEjectedPastTheThreshold_OthersStay()
    {
        foreach (var d in _cluster.AllDestinations)
        {
            d.BeginRequest();
        }

        _detector.Scan();
        Run(TimeSpan.FromMilliseconds(500), answering: [2, 3]);
        Assert.Equal(["app-1", "app-2", "app-3"], Available);

        Run(TimeSpan.FromMilliseconds(100), answering: [2, 3]);
        Assert.Equal(["app-2", "app-3"], Available);
        Assert.True(D(1).IsEjected);
        Assert.Equal(TimeSpan.FromMilliseconds(500), _cluster.RefreshTimings().StallThreshold);
    }

    [Fact]
    public void Scan_InstanceSlowByDesign_IsJudgedByItsOwnUsualLatency()
    {
        // app-1 usually takes 300 ms (a canary, say): its threshold is 4 x 300 ms, not the service's 500 ms.
        for (var tick = 0; tick < 10; tick++)
        {
            _time.Advance(StallDetector.Tick);
            D(1).Progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(300));
            _detector.Scan();
        }

        D(1).BeginRequest();
        _detector.Scan();
        Run(TimeSpan.FromMilliseconds(1200), answering: [2, 3]);
        Assert.Equal(3, Available.Length);

        Run(TimeSpan.FromMilliseconds(100), answering: [2, 3]);
        Assert.Equal(["app-2", "app-3"], Available);
    }

    [Fact]
    public void Scan_TwoOfThreeStall_OnlyOneIsEjected()
    {
        foreach (var d in _cluster.AllDestinations)
        {
            d.BeginRequest();
        }

        Run(TimeSpan.FromSeconds(1), answering: [3]);

        Assert.Equal(2, Available.Length);
        Assert.Contains("app-3", Available);
    }

    [Fact]
    public void Scan_RequestsEndedUnanswered_CountLikeRequestsInFlight()
    {
        D(1).Progress.OnUnanswered(_time.GetTimestamp());

        Run(TimeSpan.FromMilliseconds(600), answering: [2, 3]);

        Assert.Equal(["app-2", "app-3"], Available);
    }

    [Fact]
    public void Scan_IdleInstances_AreNeverEjected()
    {
        Run(TimeSpan.FromSeconds(5));

        Assert.Equal(3, Available.Length);
    }

    [Fact]
    public void Scan_Disabled_NothingIsEjected()
    {
        _cluster.Config = new ClusterConfig(
            new ServiceRoutingOptions { Resilience = ResilienceSettings.Default with { StallDetection = new StallDetectionSettings { Enabled = false } } },
            _cluster.Config.Policy,
            _cluster.Config.Retries);
        D(1).BeginRequest();

        Run(TimeSpan.FromSeconds(2), answering: [2, 3]);

        Assert.Equal(3, Available.Length);
    }

    [Fact]
    public void Scan_AnInstanceFarSlowerThanItsPeers_IsEjectedWithinASecond()
    {
        for (var tick = 0; tick < 10; tick++)
        {
            _time.Advance(StallDetector.Tick);
            for (var n = 0; n < 3; n++)
            {
                D(1).Progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(700));
                D(2).Progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(5));
                D(3).Progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(6));
            }

            _detector.Scan();
        }

        Assert.Equal(["app-2", "app-3"], Available);
    }

    [Fact]
    public async Task Dispose_AsTheGatewaysContainerDoes_OnceAsTheSingletonOnceAsTheHostedService_DoesNotThrow()
    {
        // GatewayServer registers the detector as a singleton and as a hosted service through a factory: the container
        // then disposes the one object twice, as two services. The second Cancel of a disposed source used to throw.
        var services = new ServiceCollection();
        services.AddSingleton(_state);
        services.AddSingleton(_prober);
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<ILogger<StallDetector>>(NullLogger<StallDetector>.Instance);
        services.AddSingleton<StallDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<StallDetector>());
        var provider = services.BuildServiceProvider();
        var hosted = Assert.Single(provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>());
        await hosted.StartAsync(CancellationToken.None);
        await hosted.StopAsync(CancellationToken.None);

        var disposing = Record.Exception(provider.Dispose);

        Assert.Null(disposing);
    }

    [Fact]
    public async Task StopAsync_AfterDispose_DoesNotThrow()
    {
        await _detector.StartAsync(CancellationToken.None);
        _detector.Dispose();

        var stopping = await Record.ExceptionAsync(() => _detector.StopAsync(CancellationToken.None));

        Assert.Null(stopping);
    }

    [Fact]
    public void Scan_FromATickStillRunningWhenTheDetectorIsDisposed_EjectsNothing()
    {
        // Disposing a timer does not wait for a callback already running: a last Scan may come after Dispose. It must
        // not eject an instance that no probe (they all end at Dispose) would ever bring back.
        D(1).BeginRequest();
        _detector.Scan();
        _time.Advance(TimeSpan.FromSeconds(2));
        _detector.Dispose();

        _detector.Scan();

        Assert.Equal(3, Available.Length);
    }

    [Fact]
    public async Task Timer_NothingInFlight_SleepsAfterASecond_NoLookUntilTheWindowsTurnOver()
    {
        await _detector.StartAsync(CancellationToken.None);
        Advance(TimeSpan.FromSeconds(1));
        Assert.True(_detector.IsAsleep);
        var scans = _detector.Scans;

        Advance(TimeSpan.FromSeconds(8.9));

        Assert.Equal(scans, _detector.Scans);
    }

    [Fact]
    public async Task Timer_Asleep_TheLatencyWindowsStillTurnOverEvery10s_ThenNoLookAtAll()
    {
        await _detector.StartAsync(CancellationToken.None);
        Advance(TimeSpan.FromSeconds(19.5));
        Assert.NotNull(_cluster.Latency.Quantile(0.99));

        Advance(TimeSpan.FromSeconds(1));
        Assert.Null(_cluster.Latency.Quantile(0.99));
        Assert.True(_cluster.Latency.IsEmpty);
        Assert.True(_detector.IsAsleep);
        var scans = _detector.Scans;

        Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(scans, _detector.Scans);
    }

    [Fact]
    public async Task Timer_ARequestThatStallsAfterAQuietSpell_IsEjectedAsSoonAsUnderARunningTick()
    {
        await _detector.StartAsync(CancellationToken.None);
        Advance(TimeSpan.FromSeconds(5));
        Assert.True(_detector.IsAsleep);

        // As in StallDetectorTests: looked at 100 ms after it started, out 600 ms later (the 500 ms threshold, passed).
        D(1).BeginRequest();
        Advance(TimeSpan.FromMilliseconds(600), answering: [2, 3]);
        Assert.False(_detector.IsAsleep);
        Assert.False(D(1).IsEjected);

        Advance(TimeSpan.FromMilliseconds(100), answering: [2, 3]);

        Assert.True(D(1).IsEjected);
        Assert.Equal(["app-2", "app-3"], _cluster.Available.Select(d => d.Id));
    }

    [Fact]
    public async Task Timer_AfterTheLastRequestEnds_SleepsAgainWithinTwoSeconds()
    {
        await _detector.StartAsync(CancellationToken.None);
        Advance(TimeSpan.FromSeconds(2));
        D(1).BeginRequest();
        Advance(TimeSpan.FromMilliseconds(300));
        D(1).Progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(300));
        D(1).EndRequest();
        Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(_detector.IsAsleep);

        Advance(TimeSpan.FromSeconds(2));

        Assert.True(_detector.IsAsleep);
        Assert.False(D(1).IsEjected);
    }

    [Theory]
    [InlineData(600, new[] { 5, 6 }, true)]
    [InlineData(450, new[] { 5, 6 }, false)]
    [InlineData(600, new[] { 200, 200 }, false)]
    [InlineData(600, new int[0], false)]
    [InlineData(600, new[] { 100, 110, 2000 }, true)]
    public void IsSlow_AboveTheFloorAndTheRatioTimesThePeersMedian(int meanMs, int[] peersMs, bool slow)
    {
        var peers = peersMs.Select(p => TimeSpan.FromMilliseconds(p)).ToList();

        Assert.Equal(slow, StallDetector.IsSlow(TimeSpan.FromMilliseconds(meanMs), peers, new StallDetectionSettings(), out _));
    }
}
