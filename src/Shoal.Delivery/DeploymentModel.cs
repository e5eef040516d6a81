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

/// <summary>Where a deployment is.</summary>
public enum DeploymentPhase
{
    /// <summary>The new version is starting.</summary>
    Starting,

    /// <summary>A canary is taking its step's share and being judged.</summary>
    Progressing,

    /// <summary>Steps do not advance until resumed.</summary>
    Paused,

    /// <summary>Blue/green: the new version is up with no traffic (preview through the header) until <c>switch</c>.</summary>
    Ready,

    /// <summary>Blue/green: the new version has all traffic; the old one stays warm for rollback.</summary>
    Switched,

    /// <summary>The new version is the service's version now.</summary>
    Promoted,

    /// <summary>All traffic went back to the stable version and the new one was stopped.</summary>
    RolledBack,
}

/// <summary>One thing that happened to a deployment.</summary>
public sealed record DeploymentRecord(DateTimeOffset At, string Actor, string Action, string? Reason, int Weight);

/// <summary>A deployment as the API shows it.</summary>
public sealed record DeploymentStatus(
    string Service,
    string Type,
    string Stable,
    string Version,
    DeploymentPhase Phase,
    int Weight,
    int Step,
    IReadOnlyList<int> Steps,
    DateTimeOffset StartedAt,
    string? Reason,
    IReadOnlyList<DeploymentRecord> History);

/// <summary>An operation that does not fit the deployment's state (409) or asks for something impossible (400).</summary>
public sealed class DeploymentException(int status, string message) : Exception(message)
{
    /// <summary>409 or 400.</summary>
    public int Status { get; } = status;
}

/// <summary>A deployment as it is kept in the registry's store.</summary>
public sealed record StoredDeployment(
    string Service,
    string Stable,
    DeploymentRequest Request,
    DeploymentPhase Phase,
    int Weight,
    int Step,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? SwitchedAt,
    int StableReplicas,
    IReadOnlyList<DeploymentRecord> History);
