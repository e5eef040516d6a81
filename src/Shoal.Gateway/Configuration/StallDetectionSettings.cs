namespace Shoal.Gateway.Configuration;

/// <summary>
/// Stall detection: an instance that has requests in flight and has answered none of them for <see cref="Threshold"/>
/// (frozen, deadlocked, in a long pause), or whose answers are far slower than its peers', stops receiving new requests
/// until it answers a probe again. It shares the outliers' <c>max_ejection_percent</c>.
/// </summary>
public sealed record StallDetectionSettings
{
    /// <summary>True to detect stalls.</summary>
    /// <value>Defaults to true.</value>
    public bool Enabled { get; init; } = true;

    /// <summary>How long an instance may go without answering while it has requests; null for auto.</summary>
    /// <value>Defaults to null (auto): <see cref="Multiplier"/> × the service's observed p99 (or × the instance's own mean latency, when higher), at least <see cref="MinThreshold"/>; 10 s until 100 requests were answered.</value>
    public TimeSpan? Threshold { get; init; }

    /// <summary>The multiple of the service's p99 an auto threshold is.</summary>
    /// <value>Defaults to 4; 1 to 1000.</value>
    public double Multiplier { get; init; } = 4;

    /// <summary>The smallest auto threshold, and the least mean latency that counts as slow.</summary>
    /// <value>Defaults to 500 ms: well within the second a stalled instance may keep receiving requests, well above a GC pause.</value>
    public TimeSpan MinThreshold { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>An instance whose mean latency over the last second is this many times its peers' median (and above <see cref="MinThreshold"/>) counts as stalled; 0 turns this off.</summary>
    /// <value>Defaults to 5.</value>
    public double SlowRatio { get; init; } = 5;

    /// <summary>How often an instance taken out for a stall is probed; the first answer (any HTTP status) brings it back.</summary>
    /// <value>Defaults to 500 ms.</value>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
