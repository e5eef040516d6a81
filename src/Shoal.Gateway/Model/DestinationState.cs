using System.Globalization;
using Microsoft.Extensions.Primitives;
using Shoal.Catalog;

namespace Shoal.Gateway.Model;

/// <summary>The gateway's live view of one instance: what the catalog says plus requests in flight and passive health.</summary>
public sealed class DestinationState
{
    private ServiceInstance _instance;
    private int _inFlight;
    private int _consecutiveFailures;
    private int _ejected;

    internal DestinationState(ServiceInstance instance)
    {
        _instance = instance;
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

    /// <summary>The URL prefix requests are forwarded to.</summary>
    internal string Prefix { get; }

    /// <summary>The <c>x-shoal-instance</c> value, built once.</summary>
    internal StringValues InstanceHeader { get; }

    internal void BeginRequest() => Interlocked.Increment(ref _inFlight);

    internal void EndRequest() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Counts a failure; true when it reaches <paramref name="threshold"/>.</summary>
    internal bool RecordFailure(int threshold) => Interlocked.Increment(ref _consecutiveFailures) >= threshold;

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
