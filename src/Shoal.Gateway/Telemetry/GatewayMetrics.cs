using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;
using Shoal.Gateway.Resilience;

namespace Shoal.Gateway.Telemetry;

/// <summary>
/// The gateway's instruments on the <c>Shoal</c> meter (exported by the daemon as <c>shoal_gateway_*</c>). Each outcome
/// is recorded once, where the request path already learns it; tags are built once per instance and service and kept on
/// their state, so a request records with no allocation. With <c>gateway.metrics: false</c> every call returns at once.
/// </summary>
internal sealed partial class GatewayMetrics : IDisposable
{
    /// <summary>The meter every Shoal feature records on; the daemon's exporter listens to this name.</summary>
    public const string MeterName = "Shoal";

    /// <summary>Latency buckets in seconds, from 100 µs (a loopback proxy hop) to 10 s.</summary>
    internal static readonly IReadOnlyList<double> DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly TimeProvider _time;
    private readonly Meter? _meter;
    private readonly Counter<long> _requests = null!;
    private readonly Histogram<double> _duration = null!;
    private readonly UpDownCounter<long> _inFlight = null!;
    private readonly Counter<long> _connectFailures = null!;
    private readonly Counter<long> _retries = null!;
    private readonly Counter<long> _hedges = null!;
    private readonly Counter<long> _breakerTransitions = null!;
    private readonly Counter<long> _ejections = null!;
    private readonly Counter<long> _bulkheadRejections = null!;
    private readonly Counter<long> _accessLogDropped = null!;
    private readonly Counter<long> _rateLimited = null!;
    private readonly bool _accessLog;
    private Func<IReadOnlyCollection<ClusterState>>? _clusters;

    public GatewayMetrics(GatewayOptions options, TimeProvider time)
        : this(options?.Metrics ?? throw new ArgumentNullException(nameof(options)), options.AccessLog is not null, time)
    {
    }

    private GatewayMetrics(bool enabled, bool accessLog, TimeProvider time)
    {
        _time = time;
        _accessLog = accessLog;
        Enabled = enabled;
        if (!Enabled)
        {
            return;
        }

        _meter = new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("shoal.gateway.requests", description: "Attempts answered per instance, by status class (a retried request counts once per instance tried; no instance: instance=\"\").");
        _duration = _meter.CreateHistogram("shoal.gateway.request.duration", "s", "Time from sending to an instance to the end of its answer.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _inFlight = _meter.CreateUpDownCounter<long>("shoal.gateway.requests.in_flight", description: "Requests the gateway is handling, queued in a bulkhead included.");
        _connectFailures = _meter.CreateCounter<long>("shoal.gateway.upstream.connect_failures", description: "Attempts whose connection to the instance failed.");
        _retries = _meter.CreateCounter<long>("shoal.gateway.retries", description: "Attempts after the first, on another instance.");
        _hedges = _meter.CreateCounter<long>("shoal.gateway.hedges", description: "Copies of a slow idempotent request sent to another instance, by whether the copy's answer went to the client (result=won) or not (lost).");
        _meter.CreateObservableCounter("shoal.gateway.retry_budget.exhausted", ObserveBudgetExhausted, description: "Retries and hedges refused because the service's retry budget was spent.");
        _breakerTransitions = _meter.CreateCounter<long>("shoal.gateway.breaker.transitions", description: "Circuit breaker state changes, by the state entered.");
        _ejections = _meter.CreateCounter<long>("shoal.gateway.ejections", description: "Instances taken out of rotation by passive health.");
        _accessLogDropped = _meter.CreateCounter<long>("shoal.gateway.access_log.dropped", description: "Access log lines dropped because the writer fell behind.");
        _rateLimited = _meter.CreateCounter<long>("shoal.gateway.rate_limited", description: "Requests a rate limit answered itself: 429 over the limit (reason=limit), 503 while a fail-closed limit's Redis is away (reason=store_unavailable).");
        _bulkheadRejections = _meter.CreateCounter<long>("shoal.gateway.bulkhead.rejections", description: "Requests refused with 503 because the service's bulkhead and its queue were full.");
    }

    /// <summary>Records nothing: for parts built without the gateway's (tests, tools).</summary>
    public static GatewayMetrics Disabled { get; } = new(enabled: false, accessLog: false, TimeProvider.System);

    /// <summary>False when <c>gateway.metrics: false</c>: nothing is recorded.</summary>
    public bool Enabled { get; }

    /// <summary>The meter, for tests that listen to this instance only (null when disabled).</summary>
    internal Meter? Meter => _meter;

    /// <summary>Where the observable instruments read the services from (the gateway state registers itself).</summary>
    public void Follow(Func<IReadOnlyCollection<ClusterState>> clusters)
    {
        // The shared disabled instance must not hold on to the last gateway built without metrics.
        if (Enabled)
        {
            _clusters = clusters;
        }
    }

    public void OnRequestStarted(ClusterState cluster)
    {
        if (Enabled)
        {
            _inFlight.Add(1, in ServiceTagsOf(cluster).Service);
        }
    }

    public void OnRequestEnded(ClusterState cluster)
    {
        if (Enabled)
        {
            _inFlight.Add(-1, in ServiceTagsOf(cluster).Service);
        }
    }

    /// <summary>The access log's writer fell behind and dropped a line.</summary>
    public void OnAccessLogDropped()
    {
        if (Enabled)
        {
            _accessLogDropped.Add(1);
        }
    }

    /// <summary>An attempt at <paramref name="destination"/> ended with <paramref name="status"/> (YARP's 502/504 when the transport failed); <paramref name="started"/> is when it was sent, 0 when it never was.</summary>
    public void OnAttempt(HttpContext context, ClusterState cluster, DestinationState destination, int status, long started, bool retry)
    {
        if (_accessLog)
        {
            AccessLogMiddleware.Of(context)?.OnAttempt(cluster, destination);
        }

        if (!Enabled)
        {
            return;
        }

        var tags = InstanceTagsOf(cluster, destination);
        _requests.Add(1, in tags.ByClass[StatusClass(status)]);
        if (started != 0)
        {
            _duration.Record(_time.GetElapsedTime(started).TotalSeconds, in tags.Instance);
        }

        if (retry)
        {
            _retries.Add(1, in ServiceTagsOf(cluster).Service);
        }
    }

    /// <summary>An attempt sent <paramref name="sent"/> hedges; <paramref name="won"/> when one of them answered the client (rare: tags are built on the spot).</summary>
    public void OnHedged(ClusterState cluster, int sent, bool won)
    {
        if (!Enabled)
        {
            return;
        }

        var lost = won ? sent - 1 : sent;
        if (won)
        {
            _hedges.Add(1, new("service", cluster.Service), new("result", "won"));
        }

        if (lost > 0)
        {
            _hedges.Add(lost, new("service", cluster.Service), new("result", "lost"));
        }
    }

    /// <summary>No instance could take the attempt: the gateway answered 503 itself.</summary>
    public void OnNoInstance(HttpContext context, ClusterState cluster, bool retry)
    {
        if (_accessLog)
        {
            AccessLogMiddleware.Of(context)?.OnAttempt(cluster, destination: null);
        }

        if (!Enabled)
        {
            return;
        }

        var tags = ServiceTagsOf(cluster);
        _requests.Add(1, in tags.Unrouted);
        if (retry)
        {
            _retries.Add(1, in tags.Service);
        }
    }

    public void OnRateLimited(ClusterState cluster, string reason)
    {
        if (Enabled)
        {
            _rateLimited.Add(1, new KeyValuePair<string, object?>("service", cluster.Service), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void OnBulkheadRejected(ClusterState cluster)
    {
        if (Enabled)
        {
            var tags = ServiceTagsOf(cluster);
            _bulkheadRejections.Add(1, in tags.Service);
            _requests.Add(1, in tags.Unrouted);
        }
    }

    /// <summary>An attempt failed; <paramref name="refused"/> when the connection never came up.</summary>
    public void OnFailed(ClusterState cluster, DestinationState destination, bool refused)
    {
        if (Enabled && refused)
        {
            _connectFailures.Add(1, in InstanceTagsOf(cluster, destination).ServiceInstance);
        }
    }

    public void OnEjected(ClusterState cluster, DestinationState destination)
    {
        if (Enabled)
        {
            _ejections.Add(1, in InstanceTagsOf(cluster, destination).ServiceInstance);
        }
    }

    /// <summary>A breaker entered <paramref name="state"/> (rare: tags are built on the spot).</summary>
    public void OnBreakerChanged(ServiceInstance instance, CircuitState state)
    {
        if (Enabled)
        {
            _breakerTransitions.Add(1, new("service", instance.Service), new("instance", instance.Id), new("state", StateName(state)));
        }
    }

    public void Dispose() => _meter?.Dispose();

    internal static string StateName(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };

    /// <summary>1 to 5 for 1xx to 5xx; 0 for anything else.</summary>
    private static int StatusClass(int status) => status is >= 100 and < 600 ? status / 100 : 0;

    private IEnumerable<Measurement<long>> ObserveBudgetExhausted()
    {
        foreach (var cluster in _clusters?.Invoke() ?? [])
        {
            yield return new Measurement<long>(cluster.Budget.Exhausted, ServiceTagsOf(cluster).Service);
        }
    }
}
