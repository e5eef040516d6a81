using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;

namespace Shoal.Functions.Tests.Pool;

public sealed class FunctionPoolTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeAgent _agent = new();
    private readonly FakeInvoker _invoker = new();

    private FunctionPool Pool(int max = 10, int minWarm = 0, int queue = 100, TimeSpan? queueTimeout = null, TimeSpan? idle = null, TimeSpan? lifetime = null) =>
        new(new FunctionDefinition
        {
            Name = "fn",
            Command = ["bootstrap"],
            CodeDirectory = "/tmp",
            Concurrency = new ConcurrencySettings { Max = max, MinWarm = minWarm, QueueDepth = queue, QueueTimeout = queueTimeout ?? TimeSpan.FromSeconds(10) },
            IdleTimeout = idle ?? TimeSpan.FromMinutes(5),
            MaxLifetime = lifetime ?? TimeSpan.FromHours(2),
        }, "owner", _agent, _invoker, _time, NullLogger.Instance);

    [Fact]
    public async Task Sequential_invocations_reuse_one_instance()
    {
        var pool = Pool();
        for (var i = 0; i < 100; i++)
        {
            var result = await pool.InvokeAsync($"r{i}", "{}"u8.ToArray(), CancellationToken.None);
            Assert.False(result.IsError);
        }

        Assert.Equal(1, _agent.Ensured);
        Assert.Equal(1, pool.Snapshot().Instances);
        Assert.Equal(100, _invoker.Calls);
    }

    [Fact]
    public async Task Concurrent_invocations_never_exceed_max_and_the_excess_waits_its_turn()
    {
        var pool = Pool(max: 3);
        _invoker.Hold = true;
        var calls = Enumerable.Range(0, 10).Select(i => pool.InvokeAsync($"r{i}", "{}"u8.ToArray(), CancellationToken.None)).ToList();
        await WaitUntilAsync(() => _invoker.InFlight == 3);
        Assert.Equal(7, pool.Snapshot().Waiting);
        Assert.Equal(3, _agent.Ensured);

        _invoker.Hold = false;
        _invoker.ReleaseAll();
        await Task.WhenAll(calls);
        Assert.Equal(3, _agent.Ensured);
        Assert.Equal(3, _invoker.MaxInFlight);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_and_a_wait_past_its_deadline_is_throttled()
    {
        var pool = Pool(max: 1, queue: 1, queueTimeout: TimeSpan.FromSeconds(2));
        _invoker.Hold = true;
        var running = pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);
        await WaitUntilAsync(() => _invoker.InFlight == 1);
        var waiting = pool.InvokeAsync("b", "{}"u8.ToArray(), CancellationToken.None);
        await WaitUntilAsync(() => pool.Snapshot().Waiting == 1);

        await Assert.ThrowsAsync<FunctionThrottledException>(() => pool.InvokeAsync("c", "{}"u8.ToArray(), CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<FunctionThrottledException>(() => waiting);
        Assert.Equal(2, pool.Snapshot().Throttled);

        _invoker.ReleaseAll();
        await running;
        Assert.Equal(0, pool.Snapshot().Waiting);
    }

    [Fact]
    public async Task A_dead_instance_fails_only_its_invocation_and_a_waiter_gets_a_new_one()
    {
        var pool = Pool(max: 1);
        _invoker.Hold = true;
        _invoker.NextResult = new InvokeResult(InvokeResultKind.Crash, "{}"u8.ToArray(), InstanceGone: true);
        var crashing = pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);
        await WaitUntilAsync(() => _invoker.InFlight == 1);
        var waiting = pool.InvokeAsync("b", "{}"u8.ToArray(), CancellationToken.None);
        await WaitUntilAsync(() => pool.Snapshot().Waiting == 1);

        _invoker.ReleaseAll();
        Assert.Equal(InvokeResultKind.Crash, (await crashing).Kind);
        await WaitUntilAsync(() => _invoker.InFlight == 1);
        _invoker.ReleaseAll();
        Assert.False((await waiting).IsError);
        Assert.Equal(2, _agent.Ensured);
        Assert.Contains(_agent.Destroyed, id => id.StartsWith("owner.fn.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_instance_killed_at_its_memory_limit_is_counted_and_replaced()
    {
        var pool = Pool(max: 1);
        _invoker.NextResult = InvokeResult.Error(InvokeResultKind.Crash, FunctionPool.OutOfMemoryErrorType, "RequestId: a Error: Runtime exited with error: signal: killed", instanceGone: true);

        var oom = await pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);
        var next = await pool.InvokeAsync("b", "{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal("Runtime.OutOfMemory", oom.ErrorType);
        Assert.False(next.IsError);
        Assert.Equal(1, pool.Snapshot().OomKills);
        Assert.Equal(2, _agent.Ensured);
    }

    [Fact]
    public async Task A_crash_that_is_not_an_oom_kill_is_not_counted_as_one()
    {
        var pool = Pool(max: 1);
        _invoker.NextResult = InvokeResult.Error(InvokeResultKind.Crash, "Runtime.ExitError", "exit status 3", instanceGone: true);

        await pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(0, pool.Snapshot().OomKills);
    }

    [Fact]
    public async Task An_event_that_never_reached_a_dead_warm_instance_runs_on_a_new_one()
    {
        var pool = Pool();
        await pool.InvokeAsync("warm", "{}"u8.ToArray(), CancellationToken.None);
        _invoker.NextResult = new InvokeResult(InvokeResultKind.Crash, "{}"u8.ToArray(), InstanceGone: true, NotRun: true);
        var result = await pool.InvokeAsync("b", "{}"u8.ToArray(), CancellationToken.None);
        Assert.False(result.IsError);
        Assert.Equal(2, _agent.Ensured);
    }

    [Fact]
    public async Task The_sweep_reaps_idle_instances_keeps_min_warm_and_retires_old_ones()
    {
        var pool = Pool(minWarm: 1, idle: TimeSpan.FromSeconds(10), lifetime: TimeSpan.FromMinutes(1));
        await pool.SweepAsync(null, CancellationToken.None);
        Assert.Equal(1, pool.Snapshot().Idle);

        _invoker.Hold = true;
        var a = pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);
        var b = pool.InvokeAsync("b", "{}"u8.ToArray(), CancellationToken.None);
        await WaitUntilAsync(() => _invoker.InFlight == 2);
        _invoker.ReleaseAll();
        await Task.WhenAll(a, b);
        Assert.Equal(2, pool.Snapshot().Idle);

        _time.Advance(TimeSpan.FromSeconds(11));
        await pool.SweepAsync(null, CancellationToken.None);
        Assert.Equal(1, pool.Snapshot().Instances);
        Assert.Single(_agent.Destroyed);

        // Past max_lifetime the last one goes too, and min_warm starts a fresh one.
        _time.Advance(TimeSpan.FromMinutes(1));
        await pool.SweepAsync(null, CancellationToken.None);
        Assert.Equal(1, pool.Snapshot().Instances);
        Assert.Equal(2, _agent.Destroyed.Count);
        Assert.Equal(3, _agent.Ensured);
    }

    [Fact]
    public async Task The_sweep_forgets_instances_the_agent_reports_dead()
    {
        var pool = Pool();
        await pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);
        var id = _agent.Live.Keys.Single();
        await pool.SweepAsync(new Dictionary<string, AgentInstance> { [id] = new(id, "fn", "http://x", AgentInstanceState.Exited, 1) }, CancellationToken.None);
        Assert.Equal(0, pool.Snapshot().Instances);
        Assert.False(pool.Owns(id));
    }

    [Fact]
    public async Task The_janitor_destroys_instances_no_pool_holds()
    {
        var pool = Pool();
        await pool.InvokeAsync("a", "{}"u8.ToArray(), CancellationToken.None);
        _agent.Live["owner.fn.left-over"] = new AgentInstance("owner.fn.left-over", "fn", "", AgentInstanceState.Orphaned, 42);
        await using var janitor = new FunctionJanitor([pool], _agent, "owner", _time, NullLogger.Instance);
        await janitor.SweepAsync(CancellationToken.None);
        Assert.Equal(["owner.fn.left-over"], _agent.Destroyed);
        Assert.Equal(1, pool.Snapshot().Instances);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Yield();
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        Assert.True(condition());
    }

    private sealed class FakeAgent : IFunctionAgent
    {
        private int _ensured;

        public ConcurrentDictionary<string, AgentInstance> Live { get; } = new();

        public ConcurrentQueue<string> DestroyedQueue { get; } = new();

        public List<string> Destroyed => [.. DestroyedQueue];

        public int Ensured => _ensured;

        public Task<AgentInstance> EnsureAsync(string id, FunctionDefinition function, string owner, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _ensured);
            var instance = new AgentInstance(id, function.Name, "http://127.0.0.1:1/" + id, AgentInstanceState.Running, 100 + _ensured);
            Live[id] = instance;
            return Task.FromResult(instance);
        }

        public Task DestroyAsync(string id, CancellationToken cancellationToken)
        {
            if (Live.TryRemove(id, out _))
            {
                DestroyedQueue.Enqueue(id);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AgentInstance>> ListAsync(string owner, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AgentInstance>>([.. Live.Values]);
    }

    private sealed class FakeInvoker : IInstanceInvoker
    {
        private readonly Lock _lock = new();
        private readonly HashSet<string> _busy = [];
        private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private int _calls;

        public bool Hold { get; set; }

        public InvokeResult? NextResult { get; set; }

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MaxInFlight => _maxInFlight;

        public int Calls => _calls;

        public void ReleaseAll()
        {
            lock (_lock)
            {
                var gate = _gate;
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                gate.TrySetResult();
            }
        }

        public async Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
        {
            Task gate;
            InvokeResult? result;
            lock (_lock)
            {
                // One invocation per instance at a time, or the pool is broken.
                Assert.True(_busy.Add(invokeUrl), $"{invokeUrl} got two invocations at once");
                _calls++;
                _maxInFlight = Math.Max(_maxInFlight, ++_inFlight);
                gate = Hold ? _gate.Task : Task.CompletedTask;
                result = NextResult;
                NextResult = null;
            }

            await gate;
            lock (_lock)
            {
                _inFlight--;
                _busy.Remove(invokeUrl);
            }

            return result ?? new InvokeResult(InvokeResultKind.Success, "\"ok\""u8.ToArray(), InstanceGone: false);
        }
    }
}
