namespace Shoal.Delivery;

/// <summary>When the analysis rolls a canary back: compared with the stable version over one step window.</summary>
public sealed record AnalysisThresholds
{
    /// <summary>The highest 5xx share the canary may have (when it is also above the stable version's).</summary>
    public double MaxErrorRate { get; init; } = 0.05;

    /// <summary>The highest p99 the canary may have (when it is also above the stable version's); null for no limit.</summary>
    public TimeSpan? MaxP99 { get; init; }

    /// <summary>Fewer canary requests than this in a window: the step is held, not judged.</summary>
    public int MinRequests { get; init; } = 20;
}
