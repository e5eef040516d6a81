using Shoal.Configuration;

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

    /// <summary>The stem of replica ids (<c>app</c> → <c>app-1</c>); a deployment's new version gets its own (<c>app-v2-1</c>).</summary>
    public string InstancePrefix => InstanceStem ?? Name;

    /// <summary>Overrides <see cref="InstancePrefix"/>; null for the service name.</summary>
    public string? InstanceStem { get; init; }

    /// <summary>True for a service that runs elsewhere: the stack starts nothing, its instances register through the registry API.</summary>
    public bool External { get; init; }

    /// <summary>How each replica gets its port.</summary>
    public PortSpec Port { get; init; } = PortSpec.None;

    /// <summary>Environment for every replica, on top of Shoal's own variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Variables a replica takes from the daemon's environment (<c>inherit_env</c>) on top of the base set every child
    /// gets (<see cref="Processes.ChildEnvironment.BaseVariables"/>); nothing else of the daemon's environment reaches it.
    /// </summary>
    public IReadOnlyList<string> InheritEnvironment { get; init; } = [];

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

    /// <summary>The load-balancing weight of each replica (unless <see cref="PerReplica"/> says otherwise).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Labels every replica carries in the catalog (e.g. <c>region</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings for replica 1, 2, … in turn: weight, metadata and environment on top of the service's.</summary>
    public IReadOnlyList<ReplicaOverride> PerReplica { get; init; } = [];

    /// <summary>The backing service Shoal runs for this service (<c>postgres:</c>, <c>redis:</c>), or null for one that runs its own command.</summary>
    public BackingServiceDefinition? Backing { get; init; }

    /// <summary>The runtime, image, network, user and resource limits of every replica.</summary>
    public ServiceRuntimeDefinition Runtime { get; init; } = ServiceRuntimeDefinition.Default;

    /// <summary>What the features' section readers read of this service (<c>load_balancing</c>, <c>deploy</c>, …), by type.</summary>
    public SectionSet Sections { get; init; } = SectionSet.Empty;

    /// <summary>The line of the service in the stack file, for later messages.</summary>
    public int Line { get; init; }

    /// <summary>The override for 1-based replica <paramref name="index"/>, if any.</summary>
    public ReplicaOverride? OverrideFor(int index) => index >= 1 && index <= PerReplica.Count ? PerReplica[index - 1] : null;
}
