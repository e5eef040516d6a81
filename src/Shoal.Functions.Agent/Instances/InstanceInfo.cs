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

    /// <summary>The runtime that started it (<c>process</c>, <c>sandbox</c>, …); empty when orphaned.</summary>
    public string Runtime { get; init; } = "";

    /// <summary>Who its runtime process runs as, empty for the agent's own user.</summary>
    public string User { get; init; } = "";

    /// <summary>Its CPU quota in CPUs, 0 for none.</summary>
    public double CpuLimit { get; init; }

    /// <summary>Its pids limit, 0 for none.</summary>
    public int PidsLimit { get; init; }

    /// <summary>What it uses now, or null when its runtime cannot tell.</summary>
    public Processes.ResourceUsage? Usage { get; init; }

    /// <summary>Times the kernel killed one of its tasks at its memory limit.</summary>
    public int OomKills { get; init; }

    /// <summary>True once it exited because the kernel killed it at its memory limit.</summary>
    public bool OomKilled { get; init; }
}
