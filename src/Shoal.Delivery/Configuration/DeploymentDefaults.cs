namespace Shoal.Delivery.Configuration;

/// <summary>The <c>deploy:</c> section of a service: how its canaries, blue/green and rolling updates run unless told otherwise.</summary>
public sealed record DeploymentDefaults
{
    /// <summary>Canary weights in percent.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [5, 20, 50, 100];

    /// <summary>How long each canary step lasts before it is judged.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The highest 5xx share a canary may have.</summary>
    public double MaxErrorRate { get; init; } = 0.05;

    /// <summary>The highest p99 a canary may have; null for no limit.</summary>
    public TimeSpan? MaxP99 { get; init; }

    /// <summary>Canary requests a window needs before it is judged.</summary>
    public int MinRequests { get; init; } = 20;

    /// <summary>How long blue/green keeps the old version warm after switch.</summary>
    public TimeSpan KeepOld { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>New replicas a rolling update starts above the count.</summary>
    public int MaxSurge { get; init; } = 1;

    /// <summary>Old replicas a rolling update may stop before their replacements are healthy.</summary>
    public int MaxUnavailable { get; init; }
}
