namespace Shoal.Orchestration.Stack;

/// <summary>The <c>restart:</c> of a service.</summary>
public sealed record RestartPolicyDefinition
{
    /// <summary>When a replica that exited is started again.</summary>
    public RestartMode Mode { get; init; } = RestartMode.Always;

    /// <summary>The first restart delay; it doubles with each consecutive crash.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest restart delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>More than this many restarts within <see cref="Window"/> is a crash loop: the replica is given up.</summary>
    public int MaxRestarts { get; init; } = 5;

    /// <summary>The window over which restarts are counted.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);
}
