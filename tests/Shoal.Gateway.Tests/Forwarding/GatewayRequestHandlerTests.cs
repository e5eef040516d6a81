using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Health;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;
using Shoal.Gateway.Resilience;
using Shoal.Testing;
using Shoal.Utilities;
using static Shoal.Gateway.Tests.Forwarding.HandlerRequests;
using static Shoal.Gateway.Tests.Forwarding.InMemoryUpstreams;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Forwarding;

/// <summary>The request path end to end on the fake clock: the real handler, attempt invoker and health updater; YARP and the instances in memory.</summary>
public sealed class GatewayRequestHandlerTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_hedgeDelay = TimeSpan.FromMilliseconds(20);

    private static readonly ResilienceSettings s_quiet = HandlerRequests.Quiet;

    private readonly TimerCountingTimeProvider _time = new();
    private readonly InMemoryUpstreams _upstreams = new();
    private readonly FakeForwarder _forwarder;
    private readonly InstanceProber _prober;
    private readonly ForwarderClient _client;
    private PassiveHealthMonitor? _passive;

    public GatewayRequestHandlerTests()
    {
        _forwarder = new FakeForwarder(_time);
        _prober = new InstanceProber(_time);
        _client = new ForwarderClient(_upstreams);
    }

    public void Dispose()
    {
        _passive?.Dispose();
        _prober.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task InvokeAsync_AttemptTimesOut_RetriedOnTheOtherInstance()
    {
        var (handler, _) = Gateway(s_quiet with { AttemptTimeout = TimeSpan.FromSeconds(1) });
        var first = FirstThen(Hang, Answer(HttpStatusCode.OK));
        _upstreams.On(1, first);
        _upstreams.On(2, first);
        var context = NewRequest();

        var sending = handler.InvokeAsync(context);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(sending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await sending.WaitAsync(s_wait);

        var sent = _upstreams.Sent.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.NotEqual(sent[0].Port, sent[1].Port);
        Assert.True(sent[0].Token.IsCancellationRequested);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal($"app-{sent[1].Port}", InstanceOf(context));
        Assert.All(_forwarder.Timeouts, timeout => Assert.Equal(TimeSpan.FromSeconds(1), timeout));
    }

    [Fact]
    public async Task InvokeAsync_RetryBudgetSpent_TheTimedOutAttemptIsTheAnswer()
    {
        var (handler, _) = Gateway(s_quiet with
        {
            AttemptTimeout = TimeSpan.FromSeconds(1),
            Retries = new RetrySettings { Backoff = TimeSpan.Zero, Budget = 0, MinRetriesPerSecond = 0 },
        });
        _upstreams.On(1, Hang);
        _upstreams.On(2, Hang);
        var context = NewRequest();

        var sending = handler.InvokeAsync(context);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromSeconds(1));
        await sending.WaitAsync(s_wait);

        Assert.Single(_upstreams.Sent);
        Assert.Equal(StatusCodes.Status504GatewayTimeout, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_ConnectionRefused_APostIsRetriedAtOnceElsewhere_AndTheRefuserEjected()
    {
        var (handler, cluster) = Gateway(s_quiet with { Outliers = new OutlierSettings() });
        var first = FirstThen(Refuse, Answer(HttpStatusCode.OK));
        _upstreams.On(1, first);
        _upstreams.On(2, first);

        var context = await SendAsync(handler, NewRequest("POST"));

        var sent = _upstreams.Sent.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal($"app-{sent[1].Port}", InstanceOf(context));
        var refuser = Destination(cluster, sent[0].Port);
        Assert.True(refuser.IsEjected);
        Assert.DoesNotContain(refuser, cluster.Available);
    }

    [Fact]
    public async Task InvokeAsync_GetUnansweredWithinTheHedgeDelay_HedgedToTheOtherInstance_FirstAnswerWins()
    {
        var (handler, _) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = s_hedgeDelay } });
        var first = FirstThen(Hang, Answer(HttpStatusCode.OK));
        _upstreams.On(1, first);
        _upstreams.On(2, first);
        var context = NewRequest();

        var sending = handler.InvokeAsync(context);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        Assert.Equal(2, _time.Timers);
        _time.Advance(s_hedgeDelay);
        await sending.WaitAsync(s_wait);

        var sent = _upstreams.Sent.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal($"app-{sent[1].Port}", InstanceOf(context));
        Assert.False(sent[0].Token.IsCancellationRequested);
        _time.Advance(s_hedgeDelay);
        await Poll.UntilAsync(() => sent[0].Token.IsCancellationRequested, s_wait, "the losing attempt to be cancelled once its grace is over");
    }

    [Fact]
    public async Task InvokeAsync_TheOtherInstanceIsAsBusy_NoHedge_TheRequestWaitsForItsInstance()
    {
        var (handler, cluster) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = s_hedgeDelay } });
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = FirstThen(_ => answer.Task, Answer(HttpStatusCode.OK));
        _upstreams.On(1, first);
        _upstreams.On(2, first);

        // Every instance is as loaded (a saturated host): the first has this request in flight, the other one of its own.
        var sending = handler.InvokeAsync(NewRequest());
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        var other = cluster.AllDestinations.Single(d => d.Instance.Port != _upstreams.Sent.Single().Port);
        other.BeginRequest();
        _time.Advance(s_hedgeDelay);
        _time.Advance(s_hedgeDelay);

        answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        await sending.WaitAsync(s_wait);
        other.EndRequest();
        Assert.Single(_upstreams.Sent);
    }

    [Theory]
    [InlineData(new[] { 1 }, 0)]
    [InlineData(new[] { 2 }, 1)]
    [InlineData(new[] { 50 }, 25)]
    [InlineData(new[] { 51, 9 }, 4)]
    public void HedgeLoadLimit_HalfOfTheLeastBusyInstanceTried(int[] inFlight, int expected)
    {
        var (_, cluster) = Cluster(new GatewayOptions(), _time, LoadBalancingSettings.Default, Instance("app-1", 1), Instance("app-2", 2));
        var tried = new List<DestinationState>();
        for (var i = 0; i < inFlight.Length; i++)
        {
            var destination = cluster.AllDestinations[i];
            for (var n = 0; n < inFlight[i]; n++)
            {
                destination.BeginRequest();
            }

            tried.Add(destination);
        }

        Assert.Equal(expected, GatewayRequestHandler.HedgeLoadLimit(tried));
    }

    [Theory]
    [InlineData("POST", Strategies.RoundRobin)]
    [InlineData("GET", Strategies.IpHash)]
    [InlineData("GET", Strategies.ConsistentHash)]
    public async Task InvokeAsync_NotHedgeable_OrAPolicyThatKeepsAffinity_WaitsForTheFirstInstance(string method, string strategy)
    {
        var (handler, _) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = s_hedgeDelay } }, new LoadBalancingSettings { Strategy = strategy, HashKey = "path" });
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = FirstThen(_ => answer.Task, Answer(HttpStatusCode.OK));
        _upstreams.On(1, first);
        _upstreams.On(2, first);
        var context = NewRequest(method);

        var sending = handler.InvokeAsync(context);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");

        // The attempt timeout is the only timer: no hedge is even scheduled.
        Assert.Equal(1, _time.Timers);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(s_hedgeDelay);
        }

        answer.SetResult(new HttpResponseMessage(HttpStatusCode.Accepted));
        await sending.WaitAsync(s_wait);

        Assert.Single(_upstreams.Sent);
        Assert.Equal(StatusCodes.Status202Accepted, context.Response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_FailingInstance_BreakerCountsEachFailureOnce_AndOpensAtItsThreshold()
    {
        var (handler, cluster) = Gateway(s_quiet with { CircuitBreaker = new CircuitBreakerSettings { ConsecutiveFailures = 2, FailureRatio = 0 } });
        _upstreams.On(1, Answer(HttpStatusCode.InternalServerError));
        var failing = Destination(cluster, 1);

        await SendUntilSentToAsync(handler, port: 1, times: 1);
        Assert.Equal(CircuitState.Closed, failing.Circuit);
        await SendUntilSentToAsync(handler, port: 1, times: 2);
        Assert.Equal(CircuitState.Open, failing.Circuit);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("app-2", InstanceOf(await SendAsync(handler)));
        }

        Assert.Equal(2, _upstreams.SentTo(1));
    }

    [Fact]
    public async Task InvokeAsync_FailingInstance_PassiveHealthEjectsItAtItsThreshold()
    {
        var (handler, cluster) = Gateway(s_quiet with { Outliers = new OutlierSettings { ConsecutiveFailures = 2 } });
        _upstreams.On(1, Answer(HttpStatusCode.BadGateway));
        var failing = Destination(cluster, 1);

        await SendUntilSentToAsync(handler, port: 1, times: 1);
        Assert.False(failing.IsEjected);
        await SendUntilSentToAsync(handler, port: 1, times: 2);
        Assert.True(failing.IsEjected);
        Assert.Equal(CircuitState.Closed, failing.Circuit);
        Assert.DoesNotContain(failing, cluster.Available);
    }

    [Fact]
    public async Task InvokeAsync_SplitWithAPolicyThatHasNoAffinity_SplitsByWeight()
    {
        var (handler, cluster) = Gateway(s_quiet, new LoadBalancingSettings { Strategy = FirstPolicy.StrategyName }, new FirstPolicy(), Versioned());
        cluster.Split = new TrafficSplit("v1", "v2", Weight: 50);

        var instances = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            instances.Add(InstanceOf(await SendAsync(handler)));
        }

        Assert.Equal(5, instances.Count(i => i == "app-2"));
    }

    [Fact]
    public async Task InvokeAsync_SplitWithAPolicyThatPinsAnInstance_KeepsTheRequestOnThatVersion()
    {
        var (handler, cluster) = Gateway(s_quiet, new LoadBalancingSettings { Strategy = PinningPolicy.StrategyName }, new PinningPolicy(), Versioned());
        cluster.Split = new TrafficSplit("v1", "v2", Weight: 0);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("app-2", InstanceOf(await SendAsync(handler)));
        }
    }

    [Fact]
    public async Task InvokeAsync_SessionCookiePinnedToTheCanary_StaysOnTheCanaryAtWeightZero()
    {
        var (handler, cluster) = Gateway(s_quiet, new LoadBalancingSettings { Strategy = Strategies.Session, SessionCookie = "sid" }, null, Versioned());
        cluster.Split = new TrafficSplit("v1", "v2", Weight: 0);
        var token = SessionAffinityPolicy.TokenOf(Destination(cluster, 2));

        for (var i = 0; i < 4; i++)
        {
            var context = NewRequest();
            context.Request.Headers.Cookie = $"sid={token}";
            Assert.Equal("app-2", InstanceOf(await SendAsync(handler, context)));
        }

        Assert.Equal("app-1", InstanceOf(await SendAsync(handler)));
    }

    [Fact]
    public async Task InvokeAsync_SessionHeaderUnderASplit_KeepsEachSessionOnOneVersion()
    {
        var (handler, cluster) = Gateway(s_quiet, new LoadBalancingSettings { Strategy = Strategies.Session }, null, Versioned());
        cluster.Split = new TrafficSplit("v1", "v2", Weight: 50);

        for (var session = 0; session < 10; session++)
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < 3; i++)
            {
                var context = NewRequest();
                context.Request.Headers["X-Session-Id"] = $"s{session}";
                seen.Add(InstanceOf(await SendAsync(handler, context)));
            }

            Assert.Single(seen);
        }
    }

    private (GatewayRequestHandler Handler, ClusterState Cluster) Gateway(ResilienceSettings resilience, LoadBalancingSettings? loadBalancing = null, ILoadBalancingPolicy? plugin = null, ServiceInstance[]? instances = null)
    {
        var options = new GatewayOptions();
        options.Routes.Add(new RouteDefinition("/**", "app"));
        options.Services["app"] = new ServiceRoutingOptions { LoadBalancing = loadBalancing ?? LoadBalancingSettings.Default, Resilience = resilience };
        var policies = Policies(options, _time).ToList();
        if (plugin is not null)
        {
            policies.Add(plugin);
        }

        var state = new GatewayState(options, policies, _time);
        state.Apply(Snapshot(1, instances ?? [Instance("app-1", 1), Instance("app-2", 2)]));
        _passive = new PassiveHealthMonitor(state, _prober, _time, NullLogger<PassiveHealthMonitor>.Instance);
        var handler = new GatewayRequestHandler(state, _forwarder, _client, new DestinationHealthUpdater(_passive, _time), _time, new NoRandom());
        return (handler, state.Routes.Match("/")!);
    }

    private static ServiceInstance[] Versioned() => [Instance("app-1", 1) with { Version = "v1" }, Instance("app-2", 2) with { Version = "v2" }];

    private static DestinationState Destination(ClusterState cluster, int port) => cluster.AllDestinations.Single(d => d.Instance.Port == port);

    private async Task SendUntilSentToAsync(GatewayRequestHandler handler, int port, int times)
    {
        for (var i = 0; i < 10 && _upstreams.SentTo(port) < times; i++)
        {
            await SendAsync(handler);
        }

        Assert.Equal(times, _upstreams.SentTo(port));
    }

    private static string InstanceOf(HttpContext context) => context.Response.Headers[GatewayRequestHandler.InstanceHeader].ToString();

    /// <summary>The first request sent anywhere behaves as <paramref name="first"/>; every later one as <paramref name="then"/>.</summary>
    private static Func<CancellationToken, Task<HttpResponseMessage>> FirstThen(Func<CancellationToken, Task<HttpResponseMessage>> first, Func<CancellationToken, Task<HttpResponseMessage>> then)
    {
        var calls = 0;
        return token => Interlocked.Increment(ref calls) == 1 ? first(token) : then(token);
    }

    /// <summary>A plugin as a user writes one: a name and a pick, nothing about affinity.</summary>
    private sealed class FirstPolicy : ILoadBalancingPolicy
    {
        public const string StrategyName = "first-test";

        public string Name => StrategyName;

        public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available) => available[0];
    }

    /// <summary>A plugin that pins every request to the last instance.</summary>
    private sealed class PinningPolicy : ILoadBalancingPolicy
    {
        public const string StrategyName = "pin-test";

        public string Name => StrategyName;

        public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available) => available[^1];

        public RequestAffinity GetAffinity(HttpContext context, ClusterState cluster) => new(null, cluster.AllDestinations[^1]);
    }

    /// <summary>Counts the timers made: an attempt that may hedge waits on one of its own.</summary>
    private sealed class TimerCountingTimeProvider : FakeTimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class NoRandom : IRandomFactory
    {
        public Random CreateRandomInstance() => new(0);
    }
}
