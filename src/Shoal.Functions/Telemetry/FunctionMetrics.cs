using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Pool;

namespace Shoal.Functions.Telemetry;

/// <summary>
/// The functions' instruments on the <c>Shoal</c> meter (<c>shoal_function_*</c>): invocations, errors and durations as
/// each run ends; cold starts when an invocation had to start its instance; pool sizes, waiting invocations and throttles
/// read from the pools when scraped, so they cost the invocation path nothing.
/// </summary>
internal sealed class FunctionMetrics : IDisposable
{
    /// <summary>Distinct error types kept per function; a function that reports more is counted as <c>other</c> beyond them (bounded cardinality).</summary>
    internal const int MaxErrorTypes = 20;

    private static readonly IReadOnlyList<double> s_buckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private readonly Meter _meter = new("Shoal");
    private readonly Func<IEnumerable<FunctionPool>> _pools;
    private readonly Counter<long> _invocations;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _coldStarts;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _errorTypes = new(StringComparer.Ordinal);
    private volatile Dictionary<string, int> _frozen = new(StringComparer.Ordinal);

    public FunctionMetrics(Func<IEnumerable<FunctionPool>> pools)
    {
        _pools = pools;
        _invocations = _meter.CreateCounter<long>("shoal.function.invocations", description: "Invocations run on an instance, by outcome (a hedged invocation counts on each instance it ran on).");
        _errors = _meter.CreateCounter<long>("shoal.function.errors", description: "Invocations that failed, by error type (the runtime's errorType, or Shoal's for timeouts, crashes and init errors).");
        _duration = _meter.CreateHistogram("shoal.function.duration", "s", "Time from handing the event to an instance to its answer (a cold start's init excluded).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_buckets });
        _coldStarts = _meter.CreateCounter<long>("shoal.function.cold_starts", description: "Invocations that had to start an instance.");
        _meter.CreateObservableCounter("shoal.function.throttles", () => Each(s => s.Throttled), description: "Invocations refused with 429 (concurrency limit and full queue, or the queue wait ran out).");
        _meter.CreateObservableUpDownCounter("shoal.function.instances", ObserveInstances, description: "Instances by state: idle, busy, starting, and frozen (idle ones the agent has paused).");
        _meter.CreateObservableUpDownCounter("shoal.function.waiting", () => Each(s => s.Waiting), description: "Invocations queued for an instance.");
    }

    /// <summary>The meter, for tests that listen to this instance only.</summary>
    internal Meter Meter => _meter;

    /// <summary>A run on an instance ended with <paramref name="result"/> after <paramref name="elapsed"/>.</summary>
    public void OnInvoked(string function, InvokeResult result, TimeSpan elapsed)
    {
        var outcome = result.Kind switch
        {
            InvokeResultKind.Success => "success",
            InvokeResultKind.HandlerError => "handler_error",
            InvokeResultKind.Timeout => "timeout",
            InvokeResultKind.Crash => "crash",
            _ => "init_error",
        };
        _invocations.Add(1, new("function", function), new("outcome", outcome));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("function", function));
        if (result.IsError)
        {
            _errors.Add(1, new("function", function), new("error_type", BoundedErrorType(function, result.ErrorType ?? outcome)));
        }
    }

    public void OnColdStart(string function) => _coldStarts.Add(1, new KeyValuePair<string, object?>("function", function));

    /// <summary>The agent's latest list of instances (the janitor's pass): which are paused.</summary>
    public void OnAgentReport(IEnumerable<AgentInstance>? instances)
    {
        if (instances is null)
        {
            return;
        }

        var frozen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (instance.State == AgentInstanceState.Paused)
            {
                frozen[instance.Function] = frozen.GetValueOrDefault(instance.Function) + 1;
            }
        }

        _frozen = frozen;
    }

    public void Dispose() => _meter.Dispose();

    private string BoundedErrorType(string function, string errorType)
    {
        var seen = _errorTypes.GetOrAdd(function, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
        if (seen.ContainsKey(errorType))
        {
            return errorType;
        }

        return seen.Count < MaxErrorTypes && errorType.Length <= 100 && seen.TryAdd(errorType, 0) ? errorType : "other";
    }

    private IEnumerable<Measurement<long>> Each(Func<PoolSnapshot, long> value)
    {
        foreach (var pool in _pools())
        {
            var snapshot = pool.Snapshot();
            yield return new Measurement<long>(value(snapshot), new KeyValuePair<string, object?>("function", snapshot.Function));
        }
    }

    private IEnumerable<Measurement<long>> ObserveInstances()
    {
        var frozen = _frozen;
        foreach (var pool in _pools())
        {
            var s = pool.Snapshot();
            yield return Of(s.Function, "idle", s.Idle);
            yield return Of(s.Function, "busy", s.Busy);
            yield return Of(s.Function, "starting", s.Starting);
            yield return Of(s.Function, "frozen", Math.Min(s.Idle, frozen.GetValueOrDefault(s.Function)));
        }
    }

    private static Measurement<long> Of(string function, string state, long value) =>
        new(value, new TagList { { "function", function }, { "state", state } });
}
