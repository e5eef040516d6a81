using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using Shoal.Gateway.Telemetry;
using Shoal.Gateway.Tests.Forwarding;
using Shoal.Testing;
using Shoal.Testing.Telemetry;
using Shoal.Utilities;
using static Shoal.Gateway.Tests.Forwarding.HandlerRequests;
using static Shoal.Gateway.Tests.Forwarding.InMemoryUpstreams;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Telemetry;

/// <summary>The gateway's instruments through the real request path (handler, attempt invoker, health updater) on the fake clock.</summary>
public sealed class GatewayMetricsTests : IDisposable
{
    private static readonly TimeSpan s_wait = HandlerRequests.Wait;
    private static readonly ResilienceSettings s_quiet = HandlerRequests.Quiet;

    private readonly TimerCountingTimeProvider _time = new();
    private readonly InMemoryUpstreams _upstreams = new();
    private readonly FakeForwarder _forwarder;
    private readonly InstanceProber _prober;
    private readonly ForwarderClient _client;
    private PassiveHealthMonitor? _passive;
    private GatewayMetrics? _metrics;
    private MeterRecorder? _recorder;

    public GatewayMetricsTests()
    {
        _forwarder = new FakeForwarder(_time);
        _prober = new InstanceProber(_time);
        _client = new ForwarderClient(_upstreams);
    }

    private MeterRecorder Recorded => _recorder!;

    public void Dispose()
    {
        _recorder?.Dispose();
        _metrics?.Dispose();
        _passive?.Dispose();
        _prober.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task Requests_CountedPerInstanceVersionAndStatusClass_EachWithADuration()
    {
        var (handler, _) = Gateway(s_quiet);
        _upstreams.On(1, Answer(HttpStatusCode.OK));
        _upstreams.On(2, Answer(HttpStatusCode.InternalServerError));

        for (var i = 0; i < 6; i++)
        {
            await SendAsync(handler);
        }

        Assert.Equal(3, Recorded.Sum("shoal.gateway.requests", ("service", "app"), ("version", "v1"), ("instance", "app-1"), ("status_class", "2xx")));
        Assert.Equal(3, Recorded.Sum("shoal.gateway.requests", ("service", "app"), ("version", "v2"), ("instance", "app-2"), ("status_class", "5xx")));
        Assert.Equal(6, Recorded.Sum("shoal.gateway.requests"));
        Assert.Equal(3, Recorded.Count("shoal.gateway.request.duration", ("instance", "app-1"), ("version", "v1")));
        Assert.Equal(3, Recorded.Count("shoal.gateway.request.duration", ("instance", "app-2")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.requests.in_flight", ("service", "app")));
        Assert.Equal(12, Recorded.Count("shoal.gateway.requests.in_flight", ("service", "app")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.retries"));
    }

    [Fact]
    public async Task Duration_IsTheAttemptsTimeOnTheClock()
    {
        var (handler, _) = Gateway(s_quiet);
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstreams.On(1, _ => answer.Task);
        _upstreams.On(2, _ => answer.Task);

        var sending = handler.InvokeAsync(NewRequest());
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the attempt");
        Assert.Equal(1, Recorded.Sum("shoal.gateway.requests.in_flight"));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        await sending.WaitAsync(s_wait);

        Assert.Equal([0.25], Recorded.Values("shoal.gateway.request.duration", ("instance", $"app-{_upstreams.Sent.Single().Port}")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.requests.in_flight"));
    }

    [Fact]
    public async Task Hedge_ThatAnswersFirst_CountedAsWon_NotAsARetry()
    {
        var delay = TimeSpan.FromMilliseconds(50);
        var (handler, _) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = delay } });
        var calls = 0;
        Func<CancellationToken, Task<HttpResponseMessage>> firstHangs = token => Interlocked.Increment(ref calls) == 1 ? Hang(token) : Answer(HttpStatusCode.OK)(token);
        _upstreams.On(1, firstHangs);
        _upstreams.On(2, firstHangs);

        var sending = handler.InvokeAsync(NewRequest());
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(delay);
        await sending.WaitAsync(s_wait);

        Assert.Equal(1, Recorded.Sum("shoal.gateway.hedges", ("service", "app"), ("result", "won")));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.hedges"));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.retries"));
    }

    [Fact]
    public async Task Hedge_BeatenByTheFirstAttempt_CountedAsLost()
    {
        var delay = TimeSpan.FromMilliseconds(50);
        var (handler, _) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = delay } });
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Func<CancellationToken, Task<HttpResponseMessage>> hedgeHangs = token => Interlocked.Increment(ref calls) == 1 ? answer.Task : Hang(token);
        _upstreams.On(1, hedgeHangs);
        _upstreams.On(2, hedgeHangs);

        var sending = handler.InvokeAsync(NewRequest());
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(delay);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 2, s_wait, "the hedge");
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        await sending.WaitAsync(s_wait);

        Assert.Equal(1, Recorded.Sum("shoal.gateway.hedges", ("service", "app"), ("result", "lost")));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.hedges"));
    }

    [Fact]
    public async Task NoHedgeSent_NothingCounted()
    {
        var (handler, _) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = TimeSpan.FromMilliseconds(50) } });
        _upstreams.On(1, Answer(HttpStatusCode.OK));
        _upstreams.On(2, Answer(HttpStatusCode.OK));

        await SendAsync(handler);

        Assert.Equal(0, Recorded.Sum("shoal.gateway.hedges"));
    }

    [Fact]
    public async Task RefusedConnection_CountsAConnectFailureAnEjectionAndARetry()
    {
        var (handler, _) = Gateway(s_quiet with { Outliers = new OutlierSettings() });
        var calls = 0;
        Func<CancellationToken, Task<HttpResponseMessage>> firstRefuses = token => Interlocked.Increment(ref calls) == 1 ? Refuse(token) : Answer(HttpStatusCode.OK)(token);
        _upstreams.On(1, firstRefuses);
        _upstreams.On(2, firstRefuses);

        var context = await SendAsync(handler, NewRequest("POST"));
        var refuser = $"app-{_upstreams.Sent.First().Port}";
        var other = refuser == "app-1" ? "app-2" : "app-1";

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(1, Recorded.Sum("shoal.gateway.upstream.connect_failures", ("service", "app"), ("instance", refuser)));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.upstream.connect_failures"));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.ejections", ("service", "app"), ("instance", refuser)));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.retries", ("service", "app")));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.requests", ("instance", refuser), ("status_class", "5xx")));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.requests", ("instance", other), ("status_class", "2xx")));
    }

    [Fact]
    public async Task Breaker_EachTransitionCountedOnce_ByTheStateEntered()
    {
        var breaker = new CircuitBreakerSettings { ConsecutiveFailures = 2, FailureRatio = 0, BreakDuration = TimeSpan.FromSeconds(5) };
        var (handler, _) = Gateway(s_quiet with { CircuitBreaker = breaker });
        _upstreams.On(1, Answer(HttpStatusCode.InternalServerError));

        for (var i = 0; i < 8; i++)
        {
            await SendAsync(handler);
        }

        Assert.Equal(2, _upstreams.SentTo(1));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.breaker.transitions", ("service", "app"), ("instance", "app-1"), ("state", "open")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.breaker.transitions", ("state", "half_open")));
        _time.Advance(breaker.BreakDuration);
        Assert.Equal(1, Recorded.Sum("shoal.gateway.breaker.transitions", ("instance", "app-1"), ("state", "half_open")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.breaker.transitions", ("instance", "app-2")));
    }

    [Fact]
    public async Task RetryBudgetSpent_ObservedPerService()
    {
        var (handler, _) = Gateway(s_quiet with
        {
            AttemptTimeout = TimeSpan.FromSeconds(1),
            Retries = new RetrySettings { Backoff = TimeSpan.Zero, Budget = 0, MinRetriesPerSecond = 0 },
        });
        _upstreams.On(1, Hang);
        _upstreams.On(2, Hang);
        Assert.Equal(0, Recorded.Observe("shoal.gateway.retry_budget.exhausted", ("service", "app")));

        var sending = handler.InvokeAsync(NewRequest());
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromSeconds(1));
        await sending.WaitAsync(s_wait);

        Assert.Equal(1, Recorded.Observe("shoal.gateway.retry_budget.exhausted", ("service", "app")));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.requests", ("status_class", "5xx")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.retries"));
    }

    [Fact]
    public async Task NoInstance_TheGatewaysOwn503_CountedWithAnEmptyInstance()
    {
        var (handler, _) = Gateway(s_quiet, [Instance("app-1", 1, InstanceHealth.Critical)]);

        var context = await SendAsync(handler);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal(1, Recorded.Sum("shoal.gateway.requests", ("service", "app"), ("instance", ""), ("version", ""), ("status_class", "5xx")));
        Assert.Equal(0, Recorded.Count("shoal.gateway.request.duration"));
    }

    [Fact]
    public async Task BulkheadFull_RejectionCounted_AndTheRequestAsA5xxWithoutInstance()
    {
        var (handler, _) = Gateway(s_quiet with
        {
            AttemptTimeout = TimeSpan.FromSeconds(1),
            Retries = new RetrySettings { MaxAttempts = 1 },
            Bulkhead = new BulkheadSettings { MaxConcurrent = 1, QueueSize = 0 },
        });
        _upstreams.On(1, Hang);
        _upstreams.On(2, Hang);

        var first = handler.InvokeAsync(NewRequest());
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        var rejected = await SendAsync(handler);
        _time.Advance(TimeSpan.FromSeconds(1));
        await first.WaitAsync(s_wait);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, rejected.Response.StatusCode);
        Assert.Equal(1, Recorded.Sum("shoal.gateway.bulkhead.rejections", ("service", "app")));
        Assert.Equal(1, Recorded.Sum("shoal.gateway.requests", ("instance", ""), ("status_class", "5xx")));
        Assert.Equal(0, Recorded.Sum("shoal.gateway.requests.in_flight"));
    }

    [Fact]
    public async Task Disabled_NoMeter_AndRequestsStillFlow()
    {
        using var metrics = new GatewayMetrics(new GatewayOptions { Metrics = false }, _time);
        var (handler, _) = Gateway(s_quiet, metrics: metrics);

        var context = await SendAsync(handler);

        Assert.Null(metrics.Meter);
        Assert.False(metrics.Enabled);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    private (GatewayRequestHandler Handler, ClusterState Cluster) Gateway(ResilienceSettings resilience, ServiceInstance[]? instances = null, GatewayMetrics? metrics = null)
    {
        var options = new GatewayOptions();
        options.Routes.Add(new RouteDefinition("/**", "app"));
        options.Services["app"] = new ServiceRoutingOptions { LoadBalancing = LoadBalancingSettings.Default, Resilience = resilience };
        if (metrics is null)
        {
            _metrics = new GatewayMetrics(options, _time);
            _recorder = new MeterRecorder(_metrics.Meter!);
            metrics = _metrics;
        }

        var state = new GatewayState(options, Policies(options, _time), _time, metrics);
        state.Apply(Snapshot(1, instances ?? [Instance("app-1", 1) with { Version = "v1" }, Instance("app-2", 2) with { Version = "v2" }]));
        _passive = new PassiveHealthMonitor(state, _prober, _time, NullLogger<PassiveHealthMonitor>.Instance, metrics);
        var handler = new GatewayRequestHandler(state, _forwarder, _client, new DestinationHealthUpdater(_passive, _time, metrics), _time, new NoRandom(), metrics);
        return (handler, state.Routes.Match("/")!);
    }

    private sealed class NoRandom : IRandomFactory
    {
        public Random CreateRandomInstance() => new(0);
    }
}
