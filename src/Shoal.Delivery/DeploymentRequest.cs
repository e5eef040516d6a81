namespace Shoal.Delivery;

/// <summary>What a deployment is asked to do.</summary>
public sealed record DeploymentRequest
{
    /// <summary><c>canary</c>, <c>blue-green</c> or <c>rolling</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The new version.</summary>
    public required string Version { get; init; }

    /// <summary>The argv the new version runs; null for the service's own.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Environment laid over the service's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Replicas of the new version; null for 1 (canary) or the stable count (blue-green).</summary>
    public int? Replicas { get; init; }

    /// <summary>Canary weights in percent, ascending; the last 100 promotes by itself. A single weight below 100 holds there.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [5, 20, 50, 100];

    /// <summary>How long each step lasts before it is judged.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What makes a step fail.</summary>
    public AnalysisThresholds Analysis { get; init; } = new();

    /// <summary>Rolling: how many new replicas may run above the desired count while old ones are replaced.</summary>
    public int MaxSurge { get; init; } = 1;

    /// <summary>Rolling: how many old replicas may leave before their replacements are healthy (with <see cref="MaxSurge"/>, at least 1 in all).</summary>
    public int MaxUnavailable { get; init; }

    /// <summary>Blue/green: how long the old version stays warm after <c>switch</c>, so rollback is instant.</summary>
    public TimeSpan KeepOld { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A request with this header set to <see cref="HeaderValue"/> reaches the new version whatever the weight.</summary>
    public string Header { get; init; } = "x-canary";

    /// <summary>See <see cref="Header"/>.</summary>
    public string HeaderValue { get; init; } = "always";
}
