namespace Shoal.Gateway.Configuration;

/// <summary>Passive outlier ejection: an instance that keeps failing is taken out and readmitted once its health probe passes.</summary>
public sealed record OutlierSettings
{
    /// <summary>Consecutive 5xx or transport failures that eject an instance (a refused connection ejects at once); 0 turns ejection off.</summary>
    /// <value>Defaults to 5, as Envoy's consecutive_5xx.</value>
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>How long an ejected instance waits before its first probe; doubles per failed probe, up to 30 s.</summary>
    /// <value>Defaults to 2 s.</value>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this share of a service's instances may be ejected at once (at least one may; never the last).</summary>
    /// <value>Defaults to 50 %.</value>
    public int MaxEjectionPercent { get; init; } = 50;
}
