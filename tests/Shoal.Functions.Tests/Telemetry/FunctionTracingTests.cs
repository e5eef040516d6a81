using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Telemetry;

/// <summary>The pool's spans under a request's span, recorded by an in-memory listener that samples only this test's trace.</summary>
public sealed class FunctionTracingTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly ActivityTraceId _trace = ActivityTraceId.CreateRandom();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private readonly Agent _agent = new();
    private readonly Invoker _invoker = new();

    public FunctionTracingTests()
    {
        var trace = _trace;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FunctionTraceContext.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Invoke_ColdThenWarm_ColdStartSpanOnce_AndTheInvokerSeesTheInvokeSpanAsTheTrace()
    {
        var pool = Pool(max: 1);
        using var request = Request();

        await pool.InvokeAsync("r1", "{}"u8.ToArray(), CancellationToken.None);
        await pool.InvokeAsync("r2", "{}"u8.ToArray(), CancellationToken.None);

        var coldStart = Assert.Single(_spans, s => s.OperationName == "shoal.function.cold_start");
        Assert.Equal(request.SpanId, coldStart.ParentSpanId);
        var invokes = _spans.Where(s => s.OperationName == "shoal.function.invoke").ToArray();
        Assert.Equal(2, invokes.Length);
        Assert.Equal([true, false], invokes.Select(s => (bool)s.GetTagItem("faas.coldstart")!));
        Assert.All(invokes, s => Assert.Equal(request.SpanId, s.ParentSpanId));
        Assert.Equal(invokes.Select(s => s.Id), _invoker.TraceParents);

        // The agent's start request names the cold-start span.
        Assert.Equal([coldStart.Id], _agent.TraceParents);
    }

    [Fact]
    public async Task Invoke_AtTheLimit_TheWaitIsAQueueSpan()
    {
        var pool = Pool(max: 1);
        using var request = Request();
        _invoker.Hold();
        var first = pool.InvokeAsync("r1", "{}"u8.ToArray(), CancellationToken.None);
        await Poll.UntilAsync(() => _invoker.Started == 1, s_wait, "the first invocation");

        var second = pool.InvokeAsync("r2", "{}"u8.ToArray(), CancellationToken.None);
        await Poll.UntilAsync(() => pool.Snapshot().Waiting == 1, s_wait, "the second to queue");
        _invoker.Release();
        await Task.WhenAll(first, second).WaitAsync(s_wait);

        var queued = Assert.Single(_spans, s => s.OperationName == "shoal.function.queue");
        Assert.Equal(request.SpanId, queued.ParentSpanId);
        Assert.Equal("fn", queued.GetTagItem("faas.name"));
    }

    [Fact]
    public async Task Invoke_Failed_TheInvokeSpanIsAnError()
    {
        var pool = Pool(max: 1);
        using var request = Request();
        _invoker.Result = InvokeResult.Error(InvokeResultKind.HandlerError, "Boom", "it broke", instanceGone: false);

        await pool.InvokeAsync("r1", "{}"u8.ToArray(), CancellationToken.None);

        var invoke = Assert.Single(_spans, s => s.OperationName == "shoal.function.invoke");
        Assert.Equal(ActivityStatusCode.Error, invoke.Status);
        Assert.Equal("Boom", invoke.GetTagItem("error.type"));
    }

    /// <summary>The request's span as the gateway would hold it: current, in this test's trace.</summary>
    private Activity Request() =>
        new Activity("request").SetParentId(_trace, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start();

    private FunctionPool Pool(int max) =>
        new(new FunctionDefinition
        {
            Name = "fn",
            Command = ["bootstrap"],
            CodeDirectory = "/tmp",
            Concurrency = new ConcurrencySettings { Max = max, QueueDepth = 10, QueueTimeout = TimeSpan.FromSeconds(30) },
        }, "owner", _agent, _invoker, new FakeTimeProvider(), NullLogger.Instance);

    /// <summary>Starts instances at once and records the trace each start was asked under.</summary>
    private sealed class Agent : IFunctionAgent
    {
        public ConcurrentQueue<string?> TraceParents { get; } = new();

        public Task<AgentInstance> EnsureAsync(string id, FunctionDefinition function, string owner, CancellationToken cancellationToken)
        {
            TraceParents.Enqueue(FunctionTraceContext.Current());
            return Task.FromResult(new AgentInstance(id, function.Name, "http://127.0.0.1:1/" + id, AgentInstanceState.Running, 1));
        }

        public Task DestroyAsync(string id, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<AgentInstance>> ListAsync(string owner, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AgentInstance>>([]);
    }

    /// <summary>Answers (or holds invocations until released) and records the trace each invocation carried.</summary>
    private sealed class Invoker : IInstanceInvoker
    {
        private TaskCompletionSource _gate = CompletedGate();
        private int _started;

        public ConcurrentQueue<string?> TraceParents { get; } = new();

        public InvokeResult Result { get; set; } = new(InvokeResultKind.Success, "{}"u8.ToArray(), InstanceGone: false);

        public int Started => Volatile.Read(ref _started);

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public async Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
        {
            TraceParents.Enqueue(FunctionTraceContext.Current());
            Interlocked.Increment(ref _started);
            await _gate.Task;
            return Result;
        }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }
    }
}
