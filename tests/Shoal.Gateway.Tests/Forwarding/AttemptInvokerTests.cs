using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using Shoal.Testing;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Forwarding;

public sealed class AttemptInvokerTests : IDisposable
{
    private static readonly TimeSpan s_delay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly Upstreams _upstreams = new();
    private readonly Targets _targets = new();
    private readonly ClusterState _cluster;
    private readonly InstanceProber _prober;
    private readonly PassiveHealthMonitor _passive;

    public AttemptInvokerTests()
    {
        (var state, _cluster) = Cluster(new GatewayOptions(), _time, LoadBalancingSettings.Default, Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3));
        _prober = new InstanceProber(_time);
        _passive = new PassiveHealthMonitor(state, _prober, _time, NullLogger<PassiveHealthMonitor>.Instance);
    }

    public void Dispose()
    {
        _passive.Dispose();
        _prober.Dispose();
        _upstreams.Dispose();
    }

    private DestinationState D(int i) => _cluster.AllDestinations[i - 1];

    private (AttemptInvoker Invoker, HttpContext Context) Attempt(TimeSpan? hedgeDelay)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        return (new AttemptInvoker(_upstreams, _time, _targets, new DestinationHealthUpdater(_passive, _time), context, _cluster, _cluster.Config, D(1), hedgeDelay, TimeSpan.FromMilliseconds(10)), context);
    }

    /// <summary>A request to app-1 left unanswered past the delay, and its hedge sent: the race, neither answered yet.</summary>
    private async Task<(AttemptInvoker Invoker, Task<HttpResponseMessage> Sending, KeyValuePair<int, (HttpRequestMessage Request, TaskCompletionSource<HttpResponseMessage> Answer, CancellationToken Token)> Hedge)> RaceAsync()
    {
        var (invoker, _) = Attempt(s_delay);
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(s_delay);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 2, s_wait, "the hedge");
        return (invoker, sending, _upstreams.Sent.Single(s => s.Key != 1));
    }

    private static HttpRequestMessage Get(int port) => new(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/api/x?q=1")) { Headers = { { "X-Test", "yes" } } };

    [Fact]
    public async Task SendAsync_NoAnswerWithinTheDelay_HedgesToAnotherInstance_FirstAnswerWins_TheOtherIsCancelledAfterTheGrace()
    {
        var (invoker, context) = Attempt(s_delay);
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");

        _time.Advance(s_delay);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 2, s_wait, "the hedge");
        var hedge = _upstreams.Sent.Single(s => s.Key != 1);
        Assert.Equal($"http://127.0.0.1:{hedge.Key}/api/x?q=1", hedge.Value.Request.RequestUri!.ToString());
        Assert.Equal("yes", hedge.Value.Request.Headers.GetValues("X-Test").Single());
        _time.Advance(TimeSpan.FromMilliseconds(5));
        hedge.Value.Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await sending.WaitAsync(s_wait);
        Assert.Equal(1, invoker.Hedges);
        Assert.Equal($"app-{hedge.Key}", invoker.Answered!.Id);
        Assert.Equal($"app-{hedge.Key}", context.Response.Headers[GatewayRequestHandler.InstanceHeader].ToString());

        // The loser gets as long again as the hedging delay to answer (so its connection survives), then is cancelled.
        _time.Advance(s_delay - TimeSpan.FromMilliseconds(1));
        Assert.False(_upstreams.Sent[1].Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Poll.UntilAsync(() => _upstreams.Sent[1].Token.IsCancellationRequested, s_wait, "the loser to be cancelled after the grace");

        // The first instance owes the answer it never gave: a stall sign.
        await Poll.UntilAsync(() => D(1).Progress.OwedFor(_time, _time.GetTimestamp(), inFlight: 0) == TimeSpan.FromMilliseconds(45), s_wait, "app-1 to owe the answer since the first attempt");
    }

    [Fact]
    public async Task SendAsync_TheLoserAnswersWithinTheGrace_IsNotCancelled_ItsResponseIsDisposed_AndItOwesNothing()
    {
        var (invoker, sending, hedge) = await RaceAsync();
        hedge.Value.Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        using var response = await sending.WaitAsync(s_wait);

        _time.Advance(s_delay / 2);
        var late = new TrackedContent();
        _upstreams.Sent[1].Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = late });
        await Poll.UntilAsync(() => late.Disposed, s_wait, "the late answer to be disposed (drained into its connection)");

        _time.Advance(s_delay * 10);
        Assert.False(_upstreams.Sent[1].Token.IsCancellationRequested);
        Assert.Equal(TimeSpan.Zero, D(1).Progress.OwedFor(_time, _time.GetTimestamp(), inFlight: 0));
        Assert.Equal(1, invoker.Hedges);
        Assert.Equal($"app-{hedge.Key}", invoker.Answered!.Id);
    }

    [Fact]
    public async Task SendAsync_TheLosingHedgeAnswersWithinTheGrace_FreesItsSlot()
    {
        var (invoker, sending, hedge) = await RaceAsync();
        var target = D(hedge.Key);
        Assert.Equal(1, target.ConcurrentRequestCount);
        _upstreams.Sent[1].Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        using var response = await sending.WaitAsync(s_wait);
        Assert.Same(D(1), invoker.Answered);

        var late = new TrackedContent();
        hedge.Value.Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = late });
        await Poll.UntilAsync(() => late.Disposed && target.ConcurrentRequestCount == 0, s_wait, "the losing hedge to end and free its slot");
        Assert.False(hedge.Value.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task SendAsync_EveryOtherInstanceAsBusyAtTheDelay_NoHedgeYet_OneThatIsFreeADelayLater_GetsIt()
    {
        _targets.Busy = true;
        var (invoker, _) = Attempt(s_delay);
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(s_delay);
        await Poll.UntilAsync(() => invoker.Hedges == 0 && _targets.Looks == 1, s_wait, "a look for a hedge target");
        Assert.Single(_upstreams.Sent);

        _targets.Busy = false;
        _time.Advance(s_delay);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 2, s_wait, "the hedge, a delay later");
        var hedge = _upstreams.Sent.Single(s => s.Key != 1);
        hedge.Value.Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await sending.WaitAsync(s_wait);
        Assert.Equal(1, invoker.Hedges);
        Assert.Equal($"app-{hedge.Key}", invoker.Answered!.Id);
    }

    [Fact]
    public async Task SendAsync_NoTargetAtTheFirstLooks_OnlyTheHedgeSentIsPaidFromTheRetryBudget()
    {
        // A budget of exactly one retry (10 % of 10 requests, no floor): looks that find every instance busy must not
        // spend it, or the hedge a delay later could not be sent.
        var options = new GatewayOptions();
        options.Services["app"] = new ServiceRoutingOptions
        {
            LoadBalancing = LoadBalancingSettings.Default,
            Resilience = new ResilienceSettings { Retries = new RetrySettings { Budget = 0.1, MinRetriesPerSecond = 0 } },
        };
        var state = State(options, _time, new RouteDefinition("/**", "app"));
        state.Apply(Snapshot(1, Instance("app-1", 1), Instance("app-2", 2)));
        var cluster = state.Routes.Match("/")!;
        using var passive = new PassiveHealthMonitor(state, _prober, _time, NullLogger<PassiveHealthMonitor>.Instance);
        for (var i = 0; i < 10; i++)
        {
            cluster.Budget.OnRequest();
        }

        _targets.Busy = true;
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        var invoker = new AttemptInvoker(_upstreams, _time, _targets, new DestinationHealthUpdater(passive, _time), context, cluster, cluster.Config, cluster.AllDestinations[0], s_delay, TimeSpan.FromMilliseconds(10));
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        for (var look = 1; look <= 3; look++)
        {
            _time.Advance(s_delay);
            await Poll.UntilAsync(() => _targets.Looks == look, s_wait, $"look {look} for a hedge target");
        }

        _targets.Busy = false;
        _time.Advance(s_delay);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 2, s_wait, "the hedge, paid with the budget's one retry");
        Assert.Equal(0, cluster.Budget.Exhausted);
        Assert.False(cluster.Budget.TryRetry(0.1, 0), "the one retry was spent on the hedge");
        _upstreams.Sent[2].Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        using var response = await sending.WaitAsync(s_wait);
        Assert.Equal(1, invoker.Hedges);
    }

    [Fact]
    public async Task SendAsync_AnsweredWithinTheDelay_NoHedge()
    {
        var (invoker, _) = Attempt(s_delay);
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _upstreams.Sent[1].Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await sending.WaitAsync(s_wait);
        _time.Advance(s_delay * 10);
        Assert.Equal(0, invoker.Hedges);
        Assert.Same(D(1), invoker.Answered);
        Assert.Single(_upstreams.Sent);
    }

    [Fact]
    public async Task SendAsync_FailsWithinTheDelay_NoHedge_TheFailureIsTheFirstInstances()
    {
        var (invoker, _) = Attempt(s_delay);
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _upstreams.Sent[1].Answer.SetException(new HttpRequestException("reset"));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => sending.WaitAsync(s_wait));
        Assert.Equal("reset", failure.Message);
        _time.Advance(s_delay * 10);
        Assert.Equal(0, invoker.Hedges);
        Assert.Same(D(1), invoker.Failed);
        Assert.Null(invoker.Answered);
        Assert.Single(_upstreams.Sent);
    }

    [Fact]
    public async Task SendAsync_ClientGivesUpWithinTheDelay_NoHedge_AndTheInstanceOwesTheAnswer()
    {
        var (invoker, _) = Attempt(s_delay);
        using var client = new CancellationTokenSource();
        var sending = invoker.SendAsync(Get(1), client.Token);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromMilliseconds(15));
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(s_wait));
        _time.Advance(s_delay * 10);
        Assert.Equal(0, invoker.Hedges);
        Assert.Null(invoker.Answered);
        Assert.Null(invoker.Failed);
        Assert.Single(_upstreams.Sent);
        await Poll.UntilAsync(() => D(1).Progress.OwedFor(_time, _time.GetTimestamp(), inFlight: 0) == TimeSpan.FromMilliseconds(215), s_wait, "app-1 to owe the answer since the first attempt");
    }

    [Fact]
    public async Task SendAsync_NoOtherInstance_WaitsForTheFirst()
    {
        _targets.None = true;
        var (invoker, _) = Attempt(s_delay);
        var sending = invoker.SendAsync(Get(1), CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(s_delay * 3);
        _upstreams.Sent[1].Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await sending.WaitAsync(s_wait);
        Assert.Equal(0, invoker.Hedges);
        Assert.Same(D(1), invoker.Answered);
    }

    [Fact]
    public async Task SendAsync_NoHedgeDelay_SendsOnce_AndAClientThatGivesUpMarksTheInstance()
    {
        var (invoker, _) = Attempt(hedgeDelay: null);
        using var client = new CancellationTokenSource();
        var sending = invoker.SendAsync(Get(1), client.Token);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(TimeSpan.FromSeconds(1));
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending.WaitAsync(s_wait));
        Assert.Single(_upstreams.Sent);
        Assert.Null(invoker.Answered);
        Assert.Equal(TimeSpan.FromSeconds(1), D(1).Progress.OwedFor(_time, _time.GetTimestamp(), inFlight: 0));
    }

    [Fact]
    public async Task SendAsync_RequestWithABody_IsNotHedged()
    {
        var (invoker, _) = Attempt(s_delay);
        var request = Get(1);
        request.Content = new StringContent("x");
        var sending = invoker.SendAsync(request, CancellationToken.None);
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        _time.Advance(s_delay * 3);
        _upstreams.Sent[1].Answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await sending.WaitAsync(s_wait);
        Assert.Equal(0, invoker.Hedges);
    }

    /// <summary>A response body that records its disposal (where SocketsHttpHandler drains the rest into the connection).</summary>
    private sealed class TrackedContent() : ByteArrayContent([1, 2, 3])
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>Upstreams that answer when the test says, by port.</summary>
    private sealed class Upstreams() : HttpMessageInvoker(new HttpClientHandler())
    {
        public ConcurrentDictionary<int, (HttpRequestMessage Request, TaskCompletionSource<HttpResponseMessage> Answer, CancellationToken Token)> Sent { get; } = new();

        public override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
            Sent[request.RequestUri!.Port] = (request, answer, cancellationToken);
            return answer.Task;
        }
    }

    private sealed class Targets : IHedgeTargets
    {
        public bool None { get; set; }

        public bool Busy { get; set; }

        public int Looks { get; private set; }

        public DestinationState? PickHedgeTarget(HttpContext context, ClusterState cluster, ClusterConfig config, List<DestinationState> tried, out bool busy)
        {
            Looks++;
            busy = Busy;
            if (Busy)
            {
                return null;
            }

            var next = None ? null : cluster.Available.FirstOrDefault(d => !tried.Contains(d));
            next?.BeginRequest();
            return next;
        }
    }
}
