namespace Shoal.Orchestration.Processes;

/// <summary>Everything a runtime needs to start one process; isolated runtimes read <see cref="Limits"/> too.</summary>
public sealed record ProcessSpec
{
    /// <summary>A name for logs and cgroups, e.g. <c>app-1</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The program to run (a path or a name on PATH).</summary>
    public required string FileName { get; init; }

    /// <summary>The arguments after the program.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Variables the process gets, on top of <see cref="ChildEnvironment.BaseVariables"/> and <see cref="Inherit"/>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Names the process takes from the daemon's environment besides the base set (<c>inherit_env</c>).</summary>
    public IReadOnlyList<string> Inherit { get; init; } = [];

    /// <summary>The working directory.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>The file that receives stdout and stderr (appended).</summary>
    public required string LogFile { get; init; }

    /// <summary>Resource limits, applied where the runtime can.</summary>
    public ResourceLimits Limits { get; init; } = ResourceLimits.None;
}

/// <summary>Resource limits for one process.</summary>
/// <param name="MemoryBytes">Hard memory limit, or null.</param>
/// <param name="CpuQuota">CPUs (e.g. 0.5), or null.</param>
/// <param name="MaxProcesses">Maximum pids, or null.</param>
public sealed record ResourceLimits(long? MemoryBytes, double? CpuQuota, int? MaxProcesses)
{
    /// <summary>No limits.</summary>
    public static ResourceLimits None { get; } = new(null, null, null);
}
