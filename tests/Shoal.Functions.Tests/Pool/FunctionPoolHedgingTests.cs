using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Pool;

/// <summary>Hedging against a frozen instance, with fake time and an invoker whose instances the test freezes and thaws.</summary>
public sealed class FunctionPoolHedgingTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly CountingTimeProvider _time = new();
    private readonly FakeAgent _agent = new();
    private readonly FreezableInvoker _invoker;

    public FunctionPoolHedgingTests() => _invoker = new FreezableInvoker(_time);

    [Fact]
    public async Task HedgeDelay_FollowsTheRecentWarmP99_AboveAFloor_AndNoneFromTheTimeoutOn()
    {
        var pool = Pool(timeout: TimeSpan.FromSeconds(3));
        Assert.Equal(FunctionPool.UnmeasuredHedgeDelay, pool.HedgeDelay(warm: true));
        Assert.Null(pool.HedgeDelay(warm: false));
        Assert.Null(Pool(timeout: TimeSpan.FromSeconds(1)).HedgeDelay(warm: true));

        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(200), count: 40);
        Assert.Equal(TimeSpan.FromMilliseconds(400), pool.HedgeDelay(warm: true));

        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(10), count: 200);
        Assert.Equal(FunctionPool.MinHedgeDelay, pool.HedgeDelay(warm: true));

        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(1400), count: 200);
        Assert.Equal(TimeSpan.FromMilliseconds(2800), pool.HedgeDelay(warm: true));

        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(1500), count: 200);
        Assert.Null(pool.HedgeDelay(warm: true));
    }

    [Fact]
    public async Task IdempotentInvocation_HeldByAFrozenInstance_IsAnsweredByAnotherAfterTheHedgeDelay()
    {
        var pool = Pool();
        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(20), count: 20);
        var frozen = Assert.Single(_invoker.Instances);
        _invoker.Freeze(frozen);

        var timers = _time.Timers;
        var caught = pool.InvokeAsync("caught", "{}"u8.ToArray(), idempotent: true, CancellationToken.None);
        await Poll.UntilAsync(() => _time.Timers > timers && _invoker.Held(frozen) == 1, s_wait, "the invocation is on the frozen instance and the hedge timer is set");
        _time.Advance(FunctionPool.MinHedgeDelay - TimeSpan.FromMilliseconds(1));
        Assert.False(caught.IsCompleted);
        Assert.Equal(1, _agent.Ensured);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await caught.WaitAsync(s_wait);

        Assert.Equal(InvokeResultKind.Success, result.Kind);
        Assert.NotEqual(frozen, Encoding.UTF8.GetString(result.Payload.Span));
        Assert.Equal(2, _agent.Ensured);
        Assert.Equal(1, pool.Snapshot().Hedged);

        // While it stays frozen the instance gets nothing new: it still holds the caught invocation.
        for (var i = 0; i < 5; i++)
        {
            var next = await pool.InvokeAsync($"n{i}", "{}"u8.ToArray(), idempotent: true, CancellationToken.None).WaitAsync(s_wait);
            Assert.NotEqual(frozen, Encoding.UTF8.GetString(next.Payload.Span));
        }

        Assert.Equal(1, _invoker.Held(frozen));

        // Thawed, it answers (the answer nobody waits for any more) and is back in rotation.
        _invoker.Thaw(frozen);
        await Poll.UntilAsync(() => pool.Snapshot().Idle == 2, s_wait, "the thawed instance is idle again");
        var after = await pool.InvokeAsync("after", "{}"u8.ToArray(), idempotent: true, CancellationToken.None).WaitAsync(s_wait);
        Assert.Equal(frozen, Encoding.UTF8.GetString(after.Payload.Span));
        Assert.Empty(_agent.Destroyed);
    }

    [Fact]
    public async Task NonIdempotentInvocation_IsNeverRunTwice()
    {
        var pool = Pool();
        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(20), count: 20);
        var frozen = Assert.Single(_invoker.Instances);
        _invoker.Freeze(frozen);

        var post = pool.InvokeAsync("post", "{}"u8.ToArray(), idempotent: false, CancellationToken.None);
        await Poll.UntilAsync(() => _invoker.Held(frozen) == 1, s_wait, "the invocation is on the frozen instance");
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(post.IsCompleted);
        Assert.Equal(1, _agent.Ensured);
        _invoker.Thaw(frozen);
        var result = await post.WaitAsync(s_wait);
        Assert.Equal(frozen, Encoding.UTF8.GetString(result.Payload.Span));
        Assert.Equal(0, pool.Snapshot().Hedged);
        Assert.Equal(["post"], _invoker.RequestIds.Where(r => r == "post"));
    }

    [Fact]
    public async Task AnswerWithinTheDelay_IsNotHedged()
    {
        var pool = Pool();
        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(20), count: 20);

        var result = await pool.InvokeAsync("quick", "{}"u8.ToArray(), idempotent: true, CancellationToken.None).WaitAsync(s_wait);

        Assert.Equal(InvokeResultKind.Success, result.Kind);
        Assert.Equal(1, _agent.Ensured);
        Assert.Equal(0, pool.Snapshot().Hedged);
    }

    [Fact]
    public async Task FirstAttemptLostAfterTheHedgeStarted_TheHedgeAnswers()
    {
        var pool = Pool(max: 2);
        await WarmUpAsync(pool, TimeSpan.FromMilliseconds(20), count: 20);
        var frozen = Assert.Single(_invoker.Instances);
        _invoker.Freeze(frozen);

        // The hedge's instance is slow too, so the first attempt ends (killed at its timeout) before either answers.
        _invoker.FreezeNew = true;
        var timers = _time.Timers;
        var caught = pool.InvokeAsync("caught", "{}"u8.ToArray(), idempotent: true, CancellationToken.None);
        await Poll.UntilAsync(() => _time.Timers > timers && _invoker.Held(frozen) == 1, s_wait, "the hedge timer is set");
        _time.Advance(FunctionPool.MinHedgeDelay);
        await Poll.UntilAsync(() => _invoker.Instances.Count == 2 && _invoker.Held(_invoker.Instances[1]) == 1, s_wait, "the hedge is on a second instance");

        _invoker.Thaw(frozen, InvokeResult.Error(InvokeResultKind.Timeout, "Sandbox.Timedout", "timed out", instanceGone: true));
        await Task.Delay(50);
        Assert.False(caught.IsCompleted);
        _invoker.Thaw(_invoker.Instances[1]);
        var result = await caught.WaitAsync(s_wait);

        Assert.Equal(InvokeResultKind.Success, result.Kind);
        Assert.Equal(_invoker.Instances[1], Encoding.UTF8.GetString(result.Payload.Span));
        await Poll.UntilAsync(() => _agent.Destroyed.Contains(frozen), s_wait, "the timed-out instance is destroyed");
    }

    private FunctionPool Pool(int max = 10, TimeSpan? timeout = null) =>
        new(new FunctionDefinition
        {
            Name = "fn",
            Command = ["bootstrap"],
            CodeDirectory = "/tmp",
            Timeout = timeout ?? TimeSpan.FromSeconds(3),
            Concurrency = new ConcurrencySettings { Max = max },
        }, "owner", _agent, _invoker, _time, NullLogger.Instance);

    /// <summary>Sequential idempotent invocations that each take <paramref name="duration"/> of fake time.</summary>
    private async Task WarmUpAsync(FunctionPool pool, TimeSpan duration, int count)
    {
        _invoker.Duration = duration;
        for (var i = 0; i < count; i++)
        {
            var result = await pool.InvokeAsync($"w{i}", "{}"u8.ToArray(), idempotent: false, CancellationToken.None);
            Assert.Equal(InvokeResultKind.Success, result.Kind);
        }

        _invoker.Duration = TimeSpan.Zero;
    }

    /// <summary>Fake time that counts the timers made, so a test advances it only once the pool's timer is set.</summary>
    private sealed class CountingTimeProvider() : FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", global::System.Globalization.CultureInfo.InvariantCulture))
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }

    /// <summary>Answers with the instance's id; a frozen instance holds its invocations until thawed.</summary>
    private sealed class FreezableInvoker(FakeTimeProvider time) : IInstanceInvoker
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, TaskCompletionSource<InvokeResult?>> _frozen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
        private readonly List<string> _instances = [];
        private readonly ConcurrentQueue<string> _requestIds = new();

        public TimeSpan Duration { get; set; }

        /// <summary>Instances seen for the first time from now on start frozen.</summary>
        public bool FreezeNew { get; set; }

        public List<string> Instances
        {
            get
            {
                lock (_lock)
                {
                    return [.. _instances];
                }
            }
        }

        public List<string> RequestIds => [.. _requestIds];

        public void Freeze(string instance)
        {
            lock (_lock)
            {
                _frozen[instance] = new TaskCompletionSource<InvokeResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void Thaw(string instance, InvokeResult? result = null)
        {
            TaskCompletionSource<InvokeResult?>? gate;
            lock (_lock)
            {
                _frozen.Remove(instance, out gate);
            }

            gate?.TrySetResult(result);
        }

        public int Held(string instance)
        {
            lock (_lock)
            {
                return _held.GetValueOrDefault(instance);
            }
        }

        public async Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
        {
            Task<InvokeResult?>? gate = null;
            lock (_lock)
            {
                if (!_instances.Contains(instanceId))
                {
                    _instances.Add(instanceId);
                    if (FreezeNew)
                    {
                        _frozen[instanceId] = new TaskCompletionSource<InvokeResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                if (_frozen.TryGetValue(instanceId, out var frozen))
                {
                    gate = frozen.Task;
                }

                _held[instanceId] = _held.GetValueOrDefault(instanceId) + 1;
            }

            _requestIds.Enqueue(requestId);
            InvokeResult? forced = null;
            if (gate is not null)
            {
                forced = await gate;
            }
            else if (Duration > TimeSpan.Zero)
            {
                time.Advance(Duration);
            }

            lock (_lock)
            {
                _held[instanceId]--;
            }

            return forced ?? new InvokeResult(InvokeResultKind.Success, Encoding.UTF8.GetBytes(instanceId), InstanceGone: false);
        }
    }

    private sealed class FakeAgent : IFunctionAgent
    {
        private int _ensured;

        public ConcurrentQueue<string> DestroyedQueue { get; } = new();

        public List<string> Destroyed => [.. DestroyedQueue];

        public int Ensured => Volatile.Read(ref _ensured);

        public Task<AgentInstance> EnsureAsync(string id, FunctionDefinition function, string owner, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _ensured);
            return Task.FromResult(new AgentInstance(id, function.Name, "http://127.0.0.1:1/" + id, AgentInstanceState.Running, 100 + n));
        }

        public Task DestroyAsync(string id, CancellationToken cancellationToken)
        {
            DestroyedQueue.Enqueue(id);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<AgentInstance>> ListAsync(string owner, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AgentInstance>>([]);
    }
}
