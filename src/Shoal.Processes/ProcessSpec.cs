namespace Shoal.Processes;

/// <summary>Everything a runtime needs to start one process; isolated runtimes read <see cref="Limits"/> too.</summary>
public sealed record ProcessSpec
{
    /// <summary>A name for logs and cgroups, e.g. <c>app-1</c>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// A stable id for what a runtime creates around the process (its cgroups, a container), unique among the running
    /// processes of one runtime, e.g. a function instance's id; null to use <see cref="Name"/>.
    /// </summary>
    public string? InstanceId { get; init; }

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

    /// <summary>
    /// <c>cgroup.procs</c> files the process joins before its program starts (and before it drops to <see cref="User"/>),
    /// so the cgroups' limits hold from the program's first instruction; the host runtime joins them on the thread that
    /// spawns the program (<see cref="DirectSpawn"/>) or in its launcher.
    /// </summary>
    public IReadOnlyList<string> JoinCgroups { get; init; } = [];

    /// <summary>Who the process runs as; null to run as the daemon does.</summary>
    public ProcessUser? User { get; init; }

    /// <summary>What an isolating runtime needs (image, network, read-only code); ignored by <c>process</c>.</summary>
    public IsolationOptions Isolation { get; init; } = IsolationOptions.Default;
}
