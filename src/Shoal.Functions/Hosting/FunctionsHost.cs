using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Auth;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;
using Shoal.Functions.Routing;
using Shoal.Functions.Telemetry;

namespace Shoal.Functions.Hosting;

/// <summary>
/// Everything that serves functions in one gateway: the route table, the authenticator, one pool per function, the
/// janitor and the asynchronous invocation queue. The gateway's function handler and the Invoke API both use it.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private readonly Dictionary<string, FunctionPool> _pools;
    private readonly FunctionJanitor _janitor;
    private readonly FunctionsHostOptions _options;
    private readonly FunctionMetrics _metrics;

    /// <summary>Creates the host; <see cref="Start"/> starts the janitor.</summary>
    public FunctionsHost(FunctionsConfiguration configuration, string owner, IFunctionAgent agent, IInstanceInvoker invoker, TimeProvider time, ILoggerFactory loggers, FunctionsHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(loggers);
        Configuration = configuration;
        Owner = owner;
        Agent = agent;
        Time = time;
        _options = options ?? new FunctionsHostOptions();
        var poolLogger = loggers.CreateLogger("Shoal.Functions");
        _metrics = new FunctionMetrics(() => _pools!.Values);
        _pools = configuration.Functions.ToDictionary(f => f.Name, f => new FunctionPool(f, owner, agent, invoker, time, poolLogger) { Metrics = _metrics, Events = _options.Events }, StringComparer.Ordinal);
        Routes = new FunctionRouteTable(configuration.Routes);
        Authenticator = new FunctionAuthenticator(configuration.Auth, time);
        _janitor = new FunctionJanitor([.. _pools.Values], agent, owner, time, loggers.CreateLogger("Shoal.Functions.Janitor")) { Metrics = _metrics };
        Events = new EventInvocationQueue(_options.EventQueueCapacity, _options.EventWorkers, _options.EventRetryBackoff, Pool, time, loggers.CreateLogger("Shoal.Functions.Events"));
    }

    /// <summary>The functions and routes.</summary>
    public FunctionsConfiguration Configuration { get; }

    /// <summary>Who owns this host's instances at the agent.</summary>
    public string Owner { get; }

    /// <summary>The agent that runs the instances.</summary>
    public IFunctionAgent Agent { get; }

    /// <summary>Every pool's counts with its instances as the agent reports them (runtime, limits, usage, OOM kills); the counts alone when the agent does not answer.</summary>
    public async Task<IReadOnlyList<PoolSnapshot>> SnapshotsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AgentInstance> instances = [];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            instances = await Agent.ListAsync(Owner, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            // The counts are the pools' own; ps shows them without the agent's details.
        }

        return [.. _pools.Values.Select(p => p.Snapshot() with { Details = [.. instances.Where(i => i.Function == p.Function.Name)] })];
    }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The function routes.</summary>
    public FunctionRouteTable Routes { get; }

    /// <summary>Authenticates callers of routes that ask for it.</summary>
    public FunctionAuthenticator Authenticator { get; }

    /// <summary>The asynchronous invocations.</summary>
    public EventInvocationQueue Events { get; }

    /// <summary>The janitor.</summary>
    public FunctionJanitor Janitor => _janitor;

    /// <summary>Every pool.</summary>
    public IEnumerable<FunctionPool> Pools => _pools.Values;

    /// <summary>The pool of the function with this name, or null.</summary>
    public FunctionPool? Pool(string name) => _pools.GetValueOrDefault(name);

    /// <summary>Starts the janitor (its first pass reconciles with the agent and warms <c>min_warm</c> instances).</summary>
    public void Start() => _janitor.Start(_options.JanitorInterval);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _janitor.DisposeAsync().ConfigureAwait(false);
        await Events.DisposeAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), Time);
        await Task.WhenAll(_pools.Values.Select(p => p.DrainAsync(timeout.Token))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _metrics.Dispose();
    }
}
