using System.Globalization;
using Microsoft.Extensions.Primitives;
using Shoal.Catalog;
using Shoal.Gateway.Resilience;

namespace Shoal.Gateway.Model;

/// <summary>The gateway's live view of one instance: what the catalog says, requests in flight, passive health, its circuit breaker.</summary>
public sealed class DestinationState
{
    private ServiceInstance _instance;
    private int _inFlight;
    private int _consecutiveFailures;
    private int _ejected;

    private readonly RequestActivity? _activity;

    internal DestinationState(ServiceInstance instance, CircuitBreaker breaker, long readySince, RequestActivity? activity = null)
    {
        _instance = instance;
        _activity = activity;
        Breaker = breaker;
        ReadySince = readySince;
        Prefix = string.Create(CultureInfo.InvariantCulture, $"http://{instance.Address}:{instance.Port}");
        InstanceHeader = new StringValues(instance.Id);
    }

    /// <summary>The instance as the catalog last described it.</summary>
    public ServiceInstance Instance
    {
        get => Volatile.Read(ref _instance);
        internal set => Volatile.Write(ref _instance, value);
    }

    /// <summary>The instance id.</summary>
    public string Id => Instance.Id;

    /// <summary>Requests this gateway has in flight to the instance.</summary>
    public int ConcurrentRequestCount => Volatile.Read(ref _inFlight);

    /// <summary>True while passive health has taken the instance out of rotation.</summary>
    public bool IsEjected => Volatile.Read(ref _ejected) != 0;

    /// <summary>The state of the instance's circuit breaker.</summary>
    public CircuitState Circuit => Breaker.State;

    internal CircuitBreaker Breaker { get; }

    /// <summary>Answers and unanswered requests, for stall detection.</summary>
    internal InstanceProgress Progress { get; } = new();

    /// <summary>The timestamp at which the instance became routable, for slow start.</summary>
    internal long ReadySince { get; set; }

    /// <summary>The URL prefix requests are forwarded to.</summary>
    internal string Prefix { get; }

    /// <summary>The <c>x-shoal-instance</c> value, built once.</summary>
    internal StringValues InstanceHeader { get; }

    /// <summary>This instance's metric tags, built on first use (<see cref="Telemetry.GatewayMetrics"/>).</summary>
    internal Telemetry.GatewayMetrics.InstanceTags? MetricTags { get; set; }

    /// <summary>Takes a request slot: under the per-instance limit (0 = none) and past the breaker; false leaves nothing taken.</summary>
    internal bool TryBeginRequest(int limit)
    {
        if (limit > 0)
        {
            while (true)
            {
                var current = Volatile.Read(ref _inFlight);
                if (current >= limit)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
                {
                    break;
                }
            }
        }
        else
        {
            Interlocked.Increment(ref _inFlight);
        }

        if (Breaker.TryAdmit())
        {
            _activity?.OnRequestStarted();
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    internal void BeginRequest()
    {
        Interlocked.Increment(ref _inFlight);
        _activity?.OnRequestStarted();
    }

    internal void EndRequest() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Counts a failure; true when it reaches <paramref name="threshold"/>.</summary>
    internal bool RecordFailure(int threshold) => threshold > 0 && Interlocked.Increment(ref _consecutiveFailures) >= threshold;

    internal void RecordSuccess()
    {
        // Read first: a write on every success would bounce the cache line between cores.
        if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
        }
    }

    /// <summary>Ejects the instance; false when it already was.</summary>
    internal bool TryEject() => Interlocked.Exchange(ref _ejected, 1) == 0;

    internal void Readmit()
    {
        Volatile.Write(ref _consecutiveFailures, 0);
        Volatile.Write(ref _ejected, 0);
    }
}
