using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Configuration;
using Shoal.Functions.Telemetry;

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
    private long _oomKills;

    /// <summary>Lambda's error type for an invocation whose instance was killed at its memory size.</summary>
    public const string OutOfMemoryErrorType = "Runtime.OutOfMemory";

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

    /// <summary>Where invocations and cold starts are recorded, or null (set by the host).</summary>
    internal Telemetry.FunctionMetrics? Metrics { get; init; }

    /// <summary>Runs one invocation on an instance of the function.</summary>
    /// <exception cref="FunctionThrottledException">At <c>concurrency.max</c> with the queue full or the wait past its deadline.</exception>
    /// <exception cref="FunctionStartException">No instance could be started.</exception>
    public Task<InvokeResult> InvokeAsync(string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        RunAsync(requestId, payload, dispatched: null, cancellationToken);

    private async Task<InvokeResult> RunAsync(string requestId, ReadOnlyMemory<byte> payload, HedgeTimer? dispatched, CancellationToken cancellationToken)
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
                using var span = FunctionTracing.StartInvoke(Function.Name, requestId, instance.Id, warm, attempt);
                var call = _invoker.InvokeAsync(instance.Id, instance.InvokeUrl, requestId, payload, limit, CancellationToken.None);
                dispatched?.Arm(warm);
                result = await call.ConfigureAwait(false);
                FunctionTracing.Ended(span, result);
            }
            finally
            {
                Release(instance, alive: result is { InstanceGone: false });
            }

            Announce(instance, warm, result);
            if (result is { Kind: InvokeResultKind.Crash, InstanceGone: true } && result.ErrorType == OutOfMemoryErrorType)
            {
                Interlocked.Increment(ref _oomKills);
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

            Metrics?.OnInvoked(Function.Name, result, _time.GetElapsedTime(sent));
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
                OomKills = Interlocked.Read(ref _oomKills),
                Runtime = Processes.RuntimeNames.Of(Function.Isolation.Runtime),
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

    [LoggerMessage(7201, LogLevel.Information, "Function {Function}: started instance {Id} (pid {Pid})")]
    private partial void LogStarted(string function, string id, int pid);

    [LoggerMessage(7202, LogLevel.Information, "Function {Function}: retired instance {Id} (idle {Idle})")]
    private partial void LogRetired(string function, string id, TimeSpan idle);

    [LoggerMessage(7203, LogLevel.Warning, "Instance {Id} could not be destroyed: {Reason}")]
    private partial void LogDestroyFailed(string id, string reason);

    [LoggerMessage(7206, LogLevel.Warning, "Function {Function}: instance {Id} could not be started: {Reason}")]
    private partial void LogStartFailed(string function, string id, string reason);

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
