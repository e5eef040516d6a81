namespace Shoal.Orchestration.Stack;

/// <summary>The <c>health:</c> of a service.</summary>
public sealed record HealthCheckDefinition
{
    /// <summary>What is probed.</summary>
    public HealthCheckKind Kind { get; init; } = HealthCheckKind.Process;

    /// <summary>The HTTP path for <see cref="HealthCheckKind.Http"/>.</summary>
    public string? Path { get; init; }

    /// <summary>The argv for <see cref="HealthCheckKind.Exec"/>.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Where <see cref="Command"/> runs: the service's working directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>What <see cref="Command"/> sees on top of Shoal's environment: the service's <c>env</c>.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>The password a <see cref="HealthCheckKind.RedisPing"/> check gives (<c>AUTH</c>) before <c>PING</c>, or null.</summary>
    public string? Password { get; init; }

    /// <summary>Time between probes once healthy.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between probes while starting, until the first pass.</summary>
    public TimeSpan StartInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one probe may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive passes that make a replica healthy.</summary>
    public int HealthyThreshold { get; init; } = 1;

    /// <summary>Consecutive failures that make a healthy replica unhealthy.</summary>
    public int UnhealthyThreshold { get; init; } = 3;
}
