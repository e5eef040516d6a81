using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using Shoal.Gateway.Telemetry;
using Shoal.Testing;
using Shoal.Utilities;
using Yarp.ReverseProxy.Forwarder;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Telemetry;

/// <summary>The gateway's spans and the traceparent each replica gets, through the real YARP forwarder into in-memory instances.</summary>
[Collection(TracingCollection.Name)]
public sealed class GatewayTracingTests : IDisposable
{
    private const string Incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    private static readonly ResilienceSettings s_quiet = QuietResilience;

    private readonly TimerCountingTimeProvider _time = new();
    private readonly Upstreams _upstreams = new();
    private readonly InstanceProber _prober;
    private readonly ForwarderClient _client;
    private readonly ServiceProvider _services = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider();
    private PassiveHealthMonitor? _passive;

    public GatewayTracingTests()
    {
        _prober = new InstanceProber(_time);
        _client = new ForwarderClient(_upstreams);
    }

    public void Dispose()
    {
        _passive?.Dispose();
        _prober.Dispose();
        _client.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task Request_WithATraceparent_ContinuesIt_AndTheReplicasParentIsTheAttemptSpan()
    {
        using var recorder = new SpanRecorder();
        var (entry, handler) = Gateway(s_quiet);

        var context = await SendAsync(entry, handler, NewRequest(traceParent: Incoming));

        var server = Assert.Single(recorder.Spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("GET app", server.DisplayName);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", server.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", server.ParentSpanId.ToHexString());
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
        var routing = Assert.Single(recorder.Named("shoal.route"));
        Assert.Equal(server.SpanId, routing.ParentSpanId);
        Assert.Equal(Strategies.RoundRobin, routing.GetTagItem("shoal.strategy"));
        Assert.Equal(2, routing.GetTagItem("shoal.candidates"));
        var attempt = Assert.Single(recorder.Named("shoal.attempt"));
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal(server.SpanId, attempt.ParentSpanId);
        Assert.Equal(1, attempt.GetTagItem("shoal.attempt"));
        Assert.Equal(context.Response.Headers[GatewayRequestHandler.InstanceHeader].ToString(), attempt.GetTagItem("shoal.instance"));

        // Exactly one traceparent reaches the replica, the attempt's, with the client's tracestate.
        var sent = Assert.Single(_upstreams.Sent);
        Assert.Equal([attempt.Id!], sent.TraceParent);
        Assert.Equal(["vendor=1"], sent.TraceState);
    }

    [Fact]
    public async Task Request_WithoutATraceparent_StartsATrace()
    {
        using var recorder = new SpanRecorder();
        var (entry, handler) = Gateway(s_quiet);

        await SendAsync(entry, handler, NewRequest(traceParent: null));

        var server = Assert.Single(recorder.Spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(default, server.ParentSpanId);
        var attempt = Assert.Single(recorder.Named("shoal.attempt"));
        Assert.Equal(server.TraceId, attempt.TraceId);
        Assert.Equal([attempt.Id!], Assert.Single(_upstreams.Sent).TraceParent);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01,00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    public async Task Request_MalformedOrRepeatedTraceparent_StartsANewTrace_AndTheReplicaGetsOnlyTheAttempts(string traceParent)
    {
        using var recorder = new SpanRecorder();
        var (entry, handler) = Gateway(s_quiet);
        var context = NewRequest(traceParent: null);
        context.Request.Headers.TraceParent = new Microsoft.Extensions.Primitives.StringValues(traceParent.Split(','));

        await SendAsync(entry, handler, context);

        var server = Assert.Single(recorder.Spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(default, server.ParentSpanId);
        var attempt = Assert.Single(recorder.Named("shoal.attempt"));
        Assert.Equal([attempt.Id!], Assert.Single(_upstreams.Sent).TraceParent);
    }

    [Fact]
    public async Task Request_Retried_TwoAttemptSpans_EachReplicaGetsItsOwnAttemptAsParent()
    {
        using var recorder = new SpanRecorder();
        var (entry, handler) = Gateway(s_quiet);
        _upstreams.RefuseFirst();

        await SendAsync(entry, handler, NewRequest("POST", Incoming));

        var attempts = recorder.Named("shoal.attempt").OrderBy(a => (int)a.GetTagItem("shoal.attempt")!).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal([1, 2], attempts.Select(a => (int)a.GetTagItem("shoal.attempt")!));
        Assert.Equal([false, true], attempts.Select(a => (bool)a.GetTagItem("shoal.retry")!));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.NotEqual(attempts[0].GetTagItem("shoal.instance"), attempts[1].GetTagItem("shoal.instance"));
        var sent = _upstreams.Sent.ToArray();
        Assert.Equal([attempts[0].Id!], sent[0].TraceParent);
        Assert.Equal([attempts[1].Id!], sent[1].TraceParent);
    }

    [Fact]
    public async Task Request_Hedged_TheHedgeHasItsOwnSpanAndTraceparent()
    {
        using var recorder = new SpanRecorder();
        var (entry, handler) = Gateway(s_quiet with { Hedging = new HedgingSettings { Delay = TimeSpan.FromMilliseconds(20) } });
        _upstreams.HangFirst();

        var sending = SendAsync(entry, handler, NewRequest(traceParent: Incoming));
        await Poll.UntilAsync(() => _upstreams.Sent.Count == 1, s_wait, "the first attempt");
        await Poll.UntilAsync(() => { _time.Advance(TimeSpan.FromMilliseconds(20)); return _upstreams.Sent.Count == 2; }, s_wait, "the hedge");
        await sending;
        await Poll.UntilAsync(() => recorder.Named("shoal.attempt").Length == 2, s_wait, "both attempt spans to end");

        var primary = recorder.Named("shoal.attempt").Single(a => a.GetTagItem("shoal.hedge") is null);
        var hedge = recorder.Named("shoal.attempt").Single(a => a.GetTagItem("shoal.hedge") is not null);
        Assert.Equal(primary.SpanId, hedge.ParentSpanId);
        var sent = _upstreams.Sent.ToArray();
        Assert.Equal([primary.Id!], sent[0].TraceParent);
        Assert.Equal([hedge.Id!], sent[1].TraceParent);
    }

    [Fact]
    public async Task Request_TraceSampledOut_OnlyTheServerSpan_TheReplicasParentIsItWithSampledOff()
    {
        using var recorder = new SpanRecorder(ActivitySamplingResult.PropagationData);
        var (entry, handler) = Gateway(s_quiet);
        _upstreams.RefuseFirst();

        await SendAsync(entry, handler, NewRequest("POST", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"));

        // No routing or attempt span (the retry's included): each would be dropped too, at the cost of an activity.
        var server = Assert.Single(recorder.Started, s => s.TraceId.ToHexString() == "0af7651916cd43dd8448eb211c80319c");
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.False(server.Recorded);
        var sent = _upstreams.Sent.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.All(sent, s => Assert.Equal([$"00-0af7651916cd43dd8448eb211c80319c-{server.SpanId.ToHexString()}-00"], s.TraceParent));
        Assert.All(sent, s => Assert.Equal(["vendor=1"], s.TraceState));
    }

    [Fact]
    public async Task NothingListening_NoSpan_AndTheClientsTraceparentReachesTheReplicaUnchanged()
    {
        var (entry, handler) = Gateway(s_quiet);

        await SendAsync(entry, handler, NewRequest(traceParent: Incoming));

        Assert.False(GatewayTracing.Enabled);
        Assert.Equal([Incoming], Assert.Single(_upstreams.Sent).TraceParent);
    }

    [Fact]
    public void NothingListening_TheHooksOnTheRequestPathAllocateNothing()
    {
        Gateway(s_quiet, out var state);
        var cluster = state.Routes.Match("/")!;
        var destination = cluster.Available[0];
        var context = NewRequest(traceParent: Incoming);
        RunHooks(context, cluster, destination);

        var before = GC.GetAllocatedBytesForCurrentThread();
        RunHooks(context, cluster, destination);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        static void RunHooks(HttpContext context, ClusterState cluster, DestinationState destination)
        {
            var routing = GatewayTracing.StartRouting();
            GatewayTracing.Routed(routing, context, cluster, cluster.Config, destination);
            using var span = GatewayTracing.StartAttempt(context, destination, 1);
            GatewayTracing.Answered(span, ForwarderError.None, 200);
        }
    }

    private (RequestEntry Entry, GatewayRequestHandler Handler) Gateway(ResilienceSettings resilience) => Gateway(resilience, out _);

    private (RequestEntry Entry, GatewayRequestHandler Handler) Gateway(ResilienceSettings resilience, out GatewayState state)
    {
        var options = new GatewayOptions();
        options.Routes.Add(new RouteDefinition("/**", "app"));
        options.Services["app"] = new ServiceRoutingOptions { Resilience = resilience };
        state = new GatewayState(options, Policies(options, _time), _time);
        state.Apply(Snapshot(1, Instance("app-1", 1), Instance("app-2", 2)));
        _passive = new PassiveHealthMonitor(state, _prober, _time, NullLogger<PassiveHealthMonitor>.Instance);
        var handler = new GatewayRequestHandler(state, _services.GetRequiredService<IHttpForwarder>(), _client, new DestinationHealthUpdater(_passive, _time), _time, new RandomFactory());
        return (new RequestEntry(options), handler);
    }

    private static DefaultHttpContext NewRequest(string method = "GET", string? traceParent = Incoming)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("gateway.test");
        context.Request.Path = "/api";
        context.Request.Protocol = "HTTP/1.1";
        context.Response.Body = new MemoryStream();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        if (traceParent is not null)
        {
            context.Request.Headers.TraceParent = traceParent;
            context.Request.Headers.TraceState = "vendor=1";
        }

        return context;
    }

    private static async Task<HttpContext> SendAsync(RequestEntry entry, GatewayRequestHandler handler, HttpContext context)
    {
        await entry.InvokeAsync(context, handler.InvokeAsync).WaitAsync(s_wait);
        return context;
    }

    /// <summary>Instances in memory that record the trace headers of each request; the first may refuse or hang.</summary>
    private sealed class Upstreams : HttpMessageHandler
    {
        private Func<CancellationToken, Task<HttpResponseMessage>>? _first;

        public ConcurrentQueue<(int Port, string[] TraceParent, string[] TraceState)> Sent { get; } = new();

        public void RefuseFirst() => _first = _ => Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        public void HangFirst() => _first = token =>
        {
            var never = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            token.Register(() => never.TrySetCanceled(token));
            return never.Task;
        };

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Enqueue((request.RequestUri!.Port, Values(request, "traceparent"), Values(request, "tracestate")));
            if (Interlocked.Exchange(ref _first, null) is { } first)
            {
                return first(cancellationToken);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) });
        }

        private static string[] Values(HttpRequestMessage request, string name) =>
            request.Headers.NonValidated.TryGetValues(name, out var values) ? [.. values] : [];
    }
}
