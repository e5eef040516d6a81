namespace Shoal.Functions.Agent.Instances;

/// <summary>An instance as the agent describes it (the agent's own form of the wire's <c>Container</c>).</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="Owner">Who asked for it.</param>
/// <param name="State">Where it is in its life.</param>
internal sealed record InstanceInfo(string Id, string Function, string Owner, InstanceState State)
{
    /// <summary>Where invocations go (empty when orphaned).</summary>
    public string InvokeUrl { get; init; } = "";

    /// <summary>Its process id.</summary>
    public int Pid { get; init; }

    /// <summary>When it started.</summary>
    public long StartedAtUnixMs { get; init; }

    /// <summary>Its first cgroup directory, empty when it has none.</summary>
    public string Cgroup { get; init; } = "";

    /// <summary>Its cgroup's memory limit, 0 when none.</summary>
    public long MemoryLimitBytes { get; init; }

    /// <summary>The exit code, once <see cref="InstanceState.Exited"/>.</summary>
    public int ExitCode { get; init; }
}
