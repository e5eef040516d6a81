namespace Shoal.Functions.Pool;

/// <summary>An instance as the agent reports it.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="InvokeUrl">Where invocations go.</param>
/// <param name="State">Its state.</param>
/// <param name="Pid">Its process id.</param>
public sealed record AgentInstance(string Id, string Function, string InvokeUrl, AgentInstanceState State, int Pid)
{
    /// <summary>The runtime that started it (<c>process</c>, <c>sandbox</c>, <c>oci</c>, <c>docker</c>); empty when the agent does not say.</summary>
    public string Runtime { get; init; } = "";

    /// <summary>Who it runs as; empty for the agent's own user.</summary>
    public string User { get; init; } = "";

    /// <summary>Its memory limit in bytes, 0 for none.</summary>
    public long MemoryLimitBytes { get; init; }

    /// <summary>Its CPU quota in CPUs, 0 for none.</summary>
    public double CpuLimit { get; init; }

    /// <summary>Its pids limit, 0 for none.</summary>
    public int PidsLimit { get; init; }

    /// <summary>CPU time used so far, in seconds; null when the agent cannot tell.</summary>
    public double? CpuSeconds { get; init; }

    /// <summary>Memory charged to it now; null when the agent cannot tell.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Tasks alive in it; null when the agent cannot tell.</summary>
    public int? Pids { get; init; }

    /// <summary>Times the kernel killed one of its tasks at its memory limit.</summary>
    public int OomKills { get; init; }

    /// <summary>True once it exited because the kernel killed it at its memory limit.</summary>
    public bool OomKilled { get; init; }
}
