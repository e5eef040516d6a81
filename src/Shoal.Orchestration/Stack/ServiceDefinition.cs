namespace Shoal.Orchestration.Stack;

/// <summary>One entry under <c>services:</c>.</summary>
public sealed record ServiceDefinition
{
    /// <summary>The service name.</summary>
    public required string Name { get; init; }

    /// <summary>The argv to run; null when <see cref="Project"/> is set.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The absolute path of a .csproj Shoal builds once and runs; null when <see cref="Command"/> is set.</summary>
    public string? Project { get; init; }

    /// <summary>How many replicas to run.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How each replica gets its port.</summary>
    public PortSpec Port { get; init; } = PortSpec.None;

    /// <summary>Environment for every replica, on top of Shoal's own variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How readiness and liveness are probed.</summary>
    public required HealthCheckDefinition Health { get; init; }

    /// <summary>What happens when a replica exits.</summary>
    public RestartPolicyDefinition Restart { get; init; } = new();

    /// <summary>Services that must be started (or healthy) before this one starts.</summary>
    public IReadOnlyList<DependencyDefinition> DependsOn { get; init; } = [];

    /// <summary>Path patterns the gateway sends to this service (<c>/api/**</c>, <c>/exact</c>).</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    /// <summary>The working directory of each replica.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>The version label instances of this service carry.</summary>
    public string Version { get; init; } = "1";

    /// <summary>How long a replica has to exit after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The line of the service in the stack file, for later messages.</summary>
    public int Line { get; init; }
}

/// <summary>A <c>depends_on</c> entry.</summary>
/// <param name="Service">The service depended on.</param>
/// <param name="Condition">What to wait for.</param>
public sealed record DependencyDefinition(string Service, DependencyCondition Condition);

/// <summary>What a dependent waits for.</summary>
public enum DependencyCondition
{
    /// <summary>Every replica's process is running.</summary>
    Started,

    /// <summary>Every replica passes its health check.</summary>
    Healthy,
}
