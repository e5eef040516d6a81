using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Pool;

/// <summary>
/// The warm instances of one function. An instance runs one invocation at a time (Lambda's model): an invocation takes
/// the most recently used idle instance, else starts a new one while the function is under <c>concurrency.max</c>,
/// else waits in a bounded queue until an instance frees up or its deadline passes (then 429). An instance that dies
/// fails only the invocation it ran and is replaced on demand; the janitor's <see cref="SweepAsync"/> retires idle and
/// old instances and keeps <c>min_warm</c> started. An idempotent invocation that an instance holds far longer than the
/// function's recent p99 is hedged on another instance (see <c>FunctionPool.Hedging.cs</c>), so a frozen instance
/// delays it by the hedge delay instead of failing it.
/// </summary>
public sealed partial class FunctionPool
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PooledInstance> _all = new(StringComparer.Ordinal);
    private readonly Stack<PooledInstance> _idle = new();
    private readonly LinkedList<TaskCompletionSource<Lease>> _waiters = new();
    private readonly IFunctionAgent _agent;
    private readonly IInstanceInvoker _invoker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private long _sequence;
    private long _started;
    private long _throttled;
    private long _hedged;

    /// <summary>Creates the pool.</summary>
    public FunctionPool(FunctionDefinition function, string owner, IFunctionAgent agent, IInstanceInvoker invoker, TimeProvider time, ILogger logger)
    {
        Function = function ?? throw new ArgumentNullException(nameof(function));
        _owner = owner;
        _agent = agent;
        _invoker = invoker;
        _time = time;
        _logger = logger;
    }

    /// <summary>The function this pool runs.</summary>
    public FunctionDefinition Function { get; }

    /// <summary>Runs one invocation on an instance of the function.</summary>
    /// <exception cref="FunctionThrottledException">At <c>concurrency.max</c> with the queue full or the wait past its deadline.</exception>
    /// <exception cref="FunctionStartException">No instance could be started.</exception>
    public Task<InvokeResult> InvokeAsync(string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        RunAsync(requestId, payload, dispatched: null, cancellationToken);

    private async Task<InvokeResult> RunAsync(string requestId, ReadOnlyMemory<byte> payload, TaskCompletionSource<bool>? dispatched, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var instance = await AcquireAsync(cancellationToken).ConfigureAwait(false);
            InvokeResult? result = null;
            var warm = instance.Invocations > 0;
            var sent = _time.GetTimestamp();
            try
            {
                // The invocation is not cancelled with its caller: the runtime would run on regardless, and the instance
                // must be free again before the pool hands it out. Lambda, too, finishes an invocation whose client left.
                var limit = Function.Timeout + Function.InitTimeout + TimeSpan.FromSeconds(5);
                instance.Invocations++;
                var call = _invoker.InvokeAsync(instance.Id, instance.InvokeUrl, requestId, payload, limit, CancellationToken.None);
                dispatched?.TrySetResult(warm);
                result = await call.ConfigureAwait(false);
            }
            finally
            {
                Release(instance, alive: result is { InstanceGone: false });
            }

            if (IsAnswer(result))
            {
                (warm ? _warmLatency : _coldLatency).Add(_time.GetElapsedTime(sent));
            }

            // A warm instance that died while idle never ran the event: run it on another one instead of failing it.
            if (result.NotRun && warm && attempt < 3)
            {
                continue;
            }

            return result;
        }
    }

    /// <summary>Counts for the admin API and tests.</summary>
    public PoolSnapshot Snapshot()
    {
        lock (_lock)
        {
            var starting = _all.Values.Count(i => i.InvokeUrl.Length == 0);
            return new PoolSnapshot(Function.Name, _all.Count, _idle.Count, _all.Count - _idle.Count - starting, starting, _waiters.Count, Interlocked.Read(ref _started), Interlocked.Read(ref _throttled))
            {
                Hedged = Interlocked.Read(ref _hedged),
            };
        }
    }

    /// <summary>True when the pool holds (or is starting) the instance with this id.</summary>
    public bool Owns(string id)
    {
        lock (_lock)
        {
            return _all.ContainsKey(id);
        }
    }

    /// <summary>
    /// The janitor's pass: stops instances idle past <c>idle_timeout</c> (keeping <c>min_warm</c>) or older than
    /// <c>max_lifetime</c>, forgets instances the agent reports dead, and starts instances up to <c>min_warm</c>.
    /// </summary>
    /// <param name="reported">The agent's view of this owner's instances, or null when it could not be asked.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    public async Task SweepAsync(IReadOnlyDictionary<string, AgentInstance>? reported, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var retire = new List<PooledInstance>();
        var toStart = new List<PooledInstance>();
        lock (_lock)
        {
            var keep = new List<PooledInstance>(_idle.Count);

            // The stack's bottom holds the longest idle: walk from there so min_warm keeps the freshest.
            foreach (var instance in _idle.Reverse())
            {
                var dead = reported is not null && (!reported.TryGetValue(instance.Id, out var seen) || seen.State is AgentInstanceState.Exited or AgentInstanceState.Orphaned);
                var old = now - instance.StartedAt >= Function.MaxLifetime;
                var idleTooLong = now - instance.LastUsed >= Function.IdleTimeout && _all.Count > Function.Concurrency.MinWarm;
                if (dead || old || idleTooLong)
                {
                    retire.Add(instance);
                    _all.Remove(instance.Id);
                }
                else
                {
                    keep.Add(instance);
                }
            }

            _idle.Clear();
            foreach (var instance in keep)
            {
                _idle.Push(instance);
            }

            for (var missing = Function.Concurrency.MinWarm - _all.Count; missing > 0; missing--)
            {
                toStart.Add(NewPlaceholder());
            }
        }

        foreach (var instance in retire)
        {
            LogRetired(Function.Name, instance.Id, now - instance.LastUsed);
            await DestroyQuietlyAsync(instance.Id, cancellationToken).ConfigureAwait(false);
        }

        foreach (var instance in toStart)
        {
            try
            {
                await StartAsync(instance, cancellationToken).ConfigureAwait(false);
                Release(instance, alive: true);
            }
            catch (Exception ex) when (ex is FunctionStartException or OperationCanceledException)
            {
                Release(instance, alive: false);
            }
        }
    }

    /// <summary>Stops every instance (the gateway is going away).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        List<string> ids;
        lock (_lock)
        {
            ids = [.. _all.Keys];
            _all.Clear();
            _idle.Clear();
            foreach (var waiter in _waiters)
            {
                waiter.TrySetException(new FunctionThrottledException($"Function {Function.Name} is shutting down."));
            }

            _waiters.Clear();
        }

        await Task.WhenAll(ids.Select(id => DestroyQuietlyAsync(id, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<PooledInstance> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<Lease> waiter;
        LinkedListNode<TaskCompletionSource<Lease>> node;
        PooledInstance? placeholder = null;
        lock (_lock)
        {
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }

            if (_all.Count < Function.Concurrency.Max)
            {
                placeholder = NewPlaceholder();
            }
            else if (_waiters.Count >= Function.Concurrency.QueueDepth)
            {
                Interlocked.Increment(ref _throttled);
                throw new FunctionThrottledException($"Function {Function.Name} is at its concurrency limit ({Function.Concurrency.Max}) and {_waiters.Count} invocations are already waiting.");
            }

            waiter = new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = placeholder is null ? _waiters.AddLast(waiter) : null!;
        }

        if (placeholder is not null)
        {
            return await StartOrReleaseAsync(placeholder, cancellationToken).ConfigureAwait(false);
        }

        Lease lease;
        try
        {
            lease = await waiter.Task.WaitAsync(Function.Concurrency.QueueTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                }
            }

            // Handed an instance just as the wait ended: give it back rather than lose it.
            if (waiter.Task.IsCompletedSuccessfully)
            {
                var late = waiter.Task.Result;
                if (late.MustStart)
                {
                    Release(late.Instance, alive: false);
                }
                else
                {
                    Release(late.Instance, alive: true);
                }
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            Interlocked.Increment(ref _throttled);
            throw new FunctionThrottledException($"Function {Function.Name} had no free instance within {Function.Concurrency.QueueTimeout.TotalSeconds:0.###} s (concurrency limit {Function.Concurrency.Max}).", ex);
        }

        return lease.MustStart ? await StartOrReleaseAsync(lease.Instance, cancellationToken).ConfigureAwait(false) : lease.Instance;
    }

    private async Task<PooledInstance> StartOrReleaseAsync(PooledInstance placeholder, CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(placeholder, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
            return placeholder;
        }
        catch (OperationCanceledException)
        {
            // The start goes on without this caller; the instance joins the idle ones if it comes up.
            _ = FinishAbandonedStartAsync(placeholder);
            throw;
        }
        catch (FunctionStartException)
        {
            Release(placeholder, alive: false);
            throw;
        }
    }

    private async Task FinishAbandonedStartAsync(PooledInstance placeholder)
    {
        try
        {
            await placeholder.Starting!.ConfigureAwait(false);
            Release(placeholder, alive: true);
        }
        catch (FunctionStartException)
        {
            Release(placeholder, alive: false);
        }
    }

    private Task StartAsync(PooledInstance instance, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return instance.Starting ??= StartCoreAsync(instance, cancellationToken);
        }
    }

    private async Task StartCoreAsync(PooledInstance instance, CancellationToken cancellationToken)
    {
        var started = await _agent.EnsureAsync(instance.Id, Function, _owner, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _started);
        lock (_lock)
        {
            instance.InvokeUrl = started.InvokeUrl;
        }

        LogStarted(Function.Name, instance.Id, started.Pid);
    }

    /// <summary>Returns an instance after an invocation: to the first waiter, else to the idle stack; a dead one is destroyed.</summary>
    private void Release(PooledInstance instance, bool alive)
    {
        var now = _time.GetUtcNow();
        var destroy = false;
        lock (_lock)
        {
            if (!_all.ContainsKey(instance.Id))
            {
                // Drained or swept meanwhile.
                destroy = true;
            }
            else
            {
                if (alive && now - instance.StartedAt >= Function.MaxLifetime)
                {
                    alive = false;
                }

                instance.LastUsed = now;
                if (!alive)
                {
                    _all.Remove(instance.Id);
                    destroy = true;
                }

                Lease? lease = alive ? new Lease(instance, MustStart: false) : null;
                while (_waiters.First is { } first)
                {
                    _waiters.RemoveFirst();

                    // A dead instance frees a slot: the first waiter starts a new one in it.
                    lease ??= new Lease(NewPlaceholder(), MustStart: true);
                    if (first.Value.TrySetResult(lease.Value))
                    {
                        lease = null;
                        break;
                    }
                }

                if (lease is { MustStart: false } unused)
                {
                    _idle.Push(unused.Instance);
                }
                else if (lease is { MustStart: true } unusedSlot)
                {
                    _all.Remove(unusedSlot.Instance.Id);
                }
            }
        }

        if (destroy)
        {
            _ = DestroyQuietlyAsync(instance.Id, CancellationToken.None);
        }
    }

    private PooledInstance NewPlaceholder()
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var id = $"{_owner}.{Function.Name}.{_time.GetUtcNow().ToUnixTimeMilliseconds():x}{sequence:x}";
        var now = _time.GetUtcNow();
        var instance = new PooledInstance(id, now) { LastUsed = now };
        _all.Add(id, instance);
        return instance;
    }

    private async Task DestroyQuietlyAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _agent.DestroyAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDestroyFailed(id, ex.Message);
        }
    }

    [LoggerMessage(7201, LogLevel.Information, "Function {Function}: started instance {Id} (pid {Pid})")]
    private partial void LogStarted(string function, string id, int pid);

    [LoggerMessage(7202, LogLevel.Information, "Function {Function}: retired instance {Id} (idle {Idle})")]
    private partial void LogRetired(string function, string id, TimeSpan idle);

    [LoggerMessage(7203, LogLevel.Warning, "Instance {Id} could not be destroyed: {Reason}")]
    private partial void LogDestroyFailed(string id, string reason);

    private readonly record struct Lease(PooledInstance Instance, bool MustStart);

    private sealed class PooledInstance(string id, DateTimeOffset startedAt)
    {
        public string Id { get; } = id;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public DateTimeOffset LastUsed { get; set; }

        public string InvokeUrl { get; set; } = "";

        public Task? Starting { get; set; }

        public int Invocations { get; set; }
    }
}
