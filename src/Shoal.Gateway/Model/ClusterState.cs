using Shoal.Gateway.Resilience;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Model;

/// <summary>The gateway's live view of one service: its instances, and the policy and protections applied to it.</summary>
public sealed class ClusterState
{
    private DestinationState[] _available = [];
    private DestinationState[] _all = [];
    private ClusterConfig _config;

    internal ClusterState(string service, ClusterConfig config, TimeProvider time)
    {
        Service = service;
        _config = config;
        Budget = new RetryBudget(time);
    }

    /// <summary>The service name.</summary>
    public string Service { get; }

    /// <summary>Every known instance of the service, routable or not.</summary>
    public IReadOnlyList<DestinationState> AllDestinations => Volatile.Read(ref _all);

    /// <summary>The load-balancing settings in force (custom policies read their <c>settings</c> here).</summary>
    public LoadBalancingSettings LoadBalancing => Config.Options.LoadBalancing;

    /// <summary>The configuration in force, swapped as a whole when it changes.</summary>
    internal ClusterConfig Config
    {
        get => Volatile.Read(ref _config);
        set => Volatile.Write(ref _config, value);
    }

    internal RetryBudget Budget { get; }

    /// <summary>This service's metric tags, built on first use (<see cref="Telemetry.GatewayMetrics"/>).</summary>
    internal Telemetry.GatewayMetrics.ServiceTags? MetricTags { get; set; }

    /// <summary>The service's answer latencies, for the auto hedging delay, stall threshold and attempt timeout.</summary>
    internal LatencyEstimate Latency { get; } = new();

    private ClusterTimings? _timings;

    /// <summary>The timings in force for <paramref name="config"/>: the derived ones, or the settings' own until the stall detector derives new ones.</summary>
    internal ClusterTimings TimingsFor(ClusterConfig config)
    {
        var timings = Volatile.Read(ref _timings);
        if (timings is not null && ReferenceEquals(timings.Config, config))
        {
            return timings;
        }

        // New settings: derive at once from what was observed, so a request never runs under the old ones.
        timings = ClusterTimings.From(config, Latency.Quantile(0.99));
        Volatile.Write(ref _timings, timings);
        return timings;
    }

    /// <summary>Re-derives the timings from the settings in force and the latency observed now (the stall detector's tick).</summary>
    internal ClusterTimings RefreshTimings()
    {
        var config = Config;
        var previous = Volatile.Read(ref _timings);
        var timings = ClusterTimings.From(config, Latency.Quantile(0.99), previous);
        Volatile.Write(ref _timings, timings);
        return timings;
    }

    private TrafficSplit? _split;

    /// <summary>The version split in force, or null when every version shares the traffic by the strategy alone.</summary>
    public TrafficSplit? Split
    {
        get => Volatile.Read(ref _split);
        set => Volatile.Write(ref _split, value);
    }

    /// <summary>Per-version request counts, errors and latencies, recorded while a split is in force.</summary>
    public VersionStats Versions { get; } = new();

    /// <summary>The instances that take new requests now (an immutable snapshot).</summary>
    internal DestinationState[] Available => Volatile.Read(ref _available);

    /// <summary>True while every routable instance is ejected or broken and the gateway tries them all anyway.</summary>
    internal bool InPanic { get; private set; }

    internal void Update(DestinationState[] all, DestinationState[] available, bool panic)
    {
        InPanic = panic;
        Volatile.Write(ref _all, all);
        Volatile.Write(ref _available, available);
    }
}
