using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;
using Shoal.Functions.Telemetry;
using Shoal.Testing;
using Shoal.Testing.Telemetry;

namespace Shoal.Functions.Tests.Telemetry;

/// <summary>The functions' instruments through a real pool (agent and invoker faked in memory).</summary>
public sealed class FunctionMetricsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly Agent _agent = new();
    private readonly Invoker _invoker;
    private readonly List<FunctionPool> _pools = [];
    private readonly FunctionMetrics _metrics;
    private readonly MeterRecorder _recorded;

    public FunctionMetricsTests()
    {
        _invoker = new Invoker(_time);
        _metrics = new FunctionMetrics(() => _pools);
        _recorded = new MeterRecorder(_metrics.Meter);
    }

    public void Dispose()
    {
        _recorded.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task Invocations_OneColdStart_ThenWarm_EachWithItsDurationAndOutcome()
    {
        var pool = Pool("fn");
        _invoker.Delay = TimeSpan.FromMilliseconds(30);
        for (var i = 0; i < 3; i++)
        {
            await InvokeAsync(pool);
        }

        _invoker.Next = InvokeResult.Error(InvokeResultKind.HandlerError, "ValueError", "bad input", instanceGone: false);
        await InvokeAsync(pool);

        Assert.Equal(1, _recorded.Sum("shoal.function.cold_starts", ("function", "fn")));
        Assert.Equal(3, _recorded.Sum("shoal.function.invocations", ("function", "fn"), ("outcome", "success")));
        Assert.Equal(1, _recorded.Sum("shoal.function.invocations", ("function", "fn"), ("outcome", "handler_error")));
        Assert.Equal(1, _recorded.Sum("shoal.function.errors", ("function", "fn"), ("error_type", "ValueError")));
        Assert.Equal([0.03, 0.03, 0.03, 0.03], _recorded.Values("shoal.function.duration", ("function", "fn")));
    }

    [Fact]
    public async Task PoolSizes_Waiting_AndThrottles_AreReadWhenObserved()
    {
        var pool = Pool("fn", max: 1, queue: 1);
        _invoker.Hold = true;
        var running = InvokeAsync(pool);
        await WaitUntilAsync(() => pool.Snapshot().Busy == 1);
        var waiting = InvokeAsync(pool);
        await WaitUntilAsync(() => pool.Snapshot().Waiting == 1);
        await Assert.ThrowsAsync<FunctionThrottledException>(() => InvokeAsync(pool));

        Assert.Equal(1, _recorded.Observe("shoal.function.instances", ("function", "fn"), ("state", "busy")));
        Assert.Equal(0, _recorded.Observe("shoal.function.instances", ("function", "fn"), ("state", "idle")));
        Assert.Equal(1, _recorded.Observe("shoal.function.waiting", ("function", "fn")));
        Assert.Equal(1, _recorded.Observe("shoal.function.throttles", ("function", "fn")));

        _invoker.Release();
        await Task.WhenAll(running, waiting);
        Assert.Equal(1, _recorded.Observe("shoal.function.instances", ("function", "fn"), ("state", "idle")));
        Assert.Equal(0, _recorded.Observe("shoal.function.waiting", ("function", "fn")));
    }

    [Fact]
    public void Frozen_IsWhatTheAgentLastReportedPaused_AtMostTheIdle()
    {
        Pool("fn");
        _metrics.OnAgentReport([new AgentInstance("a", "fn", "", AgentInstanceState.Paused, 1), new AgentInstance("b", "other", "", AgentInstanceState.Paused, 2)]);

        // No idle instance in the pool (the report is older than the pool's own view): none frozen.
        Assert.Equal(0, _recorded.Observe("shoal.function.instances", ("function", "fn"), ("state", "frozen")));
    }

    [Fact]
    public async Task ErrorTypes_AreBounded_PerFunction()
    {
        var pool = Pool("fn");
        for (var i = 0; i < FunctionMetrics.MaxErrorTypes + 5; i++)
        {
            _invoker.Next = InvokeResult.Error(InvokeResultKind.HandlerError, $"Error{i}", "x", instanceGone: false);
            await InvokeAsync(pool);
        }

        Assert.Equal(5, _recorded.Sum("shoal.function.errors", ("function", "fn"), ("error_type", "other")));
        Assert.Equal(FunctionMetrics.MaxErrorTypes + 5, _recorded.Sum("shoal.function.errors", ("function", "fn")));
    }

    private FunctionPool Pool(string name, int max = 10, int queue = 100)
    {
        var pool = new FunctionPool(new FunctionDefinition
        {
            Name = name,
            Command = ["bootstrap"],
            CodeDirectory = "/tmp",
            Concurrency = new ConcurrencySettings { Max = max, QueueDepth = queue, QueueTimeout = TimeSpan.FromSeconds(10) },
        }, "owner", _agent, _invoker, _time, NullLogger.Instance) { Metrics = _metrics };
        _pools.Add(pool);
        return pool;
    }

    private Task<InvokeResult> InvokeAsync(FunctionPool pool) => pool.InvokeAsync("r", "{}"u8.ToArray(), CancellationToken.None);

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(10), "the pool to get there");

    private sealed class Agent : IFunctionAgent
    {
        public Task<AgentInstance> EnsureAsync(string id, FunctionDefinition function, string owner, CancellationToken cancellationToken) =>
            Task.FromResult(new AgentInstance(id, function.Name, "http://127.0.0.1:1/" + id, AgentInstanceState.Running, 100));

        public Task DestroyAsync(string id, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<AgentInstance>> ListAsync(string owner, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AgentInstance>>([]);
    }

    /// <summary>Answers at once, or advances the fake clock by <see cref="Delay"/> first, or holds every call until released.</summary>
    private sealed class Invoker(FakeTimeProvider time) : IInstanceInvoker
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan Delay { get; set; }

        public bool Hold { get; set; }

        public InvokeResult? Next { get; set; }

        public void Release() => _gate.TrySetResult();

        public async Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
        {
            if (Hold)
            {
                await _gate.Task;
            }

            time.Advance(Delay);
            var result = Next ?? new InvokeResult(InvokeResultKind.Success, "\"ok\""u8.ToArray(), InstanceGone: false);
            Next = null;
            return result;
        }
    }
}
