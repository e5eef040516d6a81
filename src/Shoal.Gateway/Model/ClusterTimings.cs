using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Model;

/// <summary>
/// The timings a service's requests use now, derived from its settings and its observed latency: the hedging delay, the
/// stall threshold and the per-attempt timeout. Rebuilt by the stall detector on its tick, read whole per request.
/// </summary>
/// <param name="Config">The configuration these were derived from; a request under newer settings ignores them.</param>
/// <param name="P99">The observed p99, or null with too few answers.</param>
/// <param name="HedgeDelay">How long an attempt waits before a hedge is sent, or null for no hedging.</param>
/// <param name="StallThreshold">How long an instance may owe an answer before it counts as stalled.</param>
/// <param name="RequestConfig">The forwarder's settings with the per-attempt timeout.</param>
internal sealed record ClusterTimings(ClusterConfig Config, TimeSpan? P99, TimeSpan? HedgeDelay, TimeSpan StallThreshold, ForwarderRequestConfig RequestConfig)
{
    /// <summary>The least auto hedging delay: below it a hedge costs more than the wait it saves.</summary>
    internal static readonly TimeSpan MinHedgeDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>The least auto per-attempt timeout: an endpoint slower than most of its service's traffic must still answer.</summary>
    internal static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The stall threshold while there is no latency estimate.</summary>
    internal static readonly TimeSpan UnknownStallThreshold = TimeSpan.FromSeconds(10);

    /// <summary>Derives the timings from <paramref name="config"/> and the observed <paramref name="p99"/>; reuses <paramref name="previous"/>'s forwarder settings when the timeout is unchanged.</summary>
    public static ClusterTimings From(ClusterConfig config, TimeSpan? p99, ClusterTimings? previous = null)
    {
        var resilience = config.Resilience;
        var hedging = resilience.Hedging;
        // An affinity strategy promises that a key stays on its instance (a session, a cache shard): a hedge to another
        // instance would break that promise whenever the instance is a little slow, so such services are not hedged.
        TimeSpan? hedgeDelay = !hedging.Enabled || config.Policy.KeepsAffinity ? null
            : hedging.Delay ?? (p99 is { } h ? Max(h, MinHedgeDelay) : null);

        var stall = resilience.StallDetection;
        var stallThreshold = stall.Threshold
            ?? (p99 is { } s ? Max(s * stall.Multiplier, stall.MinThreshold) : Max(UnknownStallThreshold, stall.MinThreshold));

        var attemptTimeout = resilience.AttemptTimeout
            ?? (p99 is { } a ? Min(Max(Round(a * 10), MinAttemptTimeout), resilience.Timeout) : resilience.Timeout);
        var requestConfig = attemptTimeout == config.RequestConfig.ActivityTimeout ? config.RequestConfig
            : previous is not null && ReferenceEquals(previous.Config, config) && previous.RequestConfig.ActivityTimeout == attemptTimeout ? previous.RequestConfig
            : config.RequestConfig with { ActivityTimeout = attemptTimeout };
        return new ClusterTimings(config, p99, hedgeDelay, stallThreshold, requestConfig);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // A timeout in whole 100 ms steps, so a p99 that wobbles does not build new forwarder settings on every tick.
    private static TimeSpan Round(TimeSpan value) => TimeSpan.FromMilliseconds(Math.Ceiling(value.TotalMilliseconds / 100) * 100);
}
