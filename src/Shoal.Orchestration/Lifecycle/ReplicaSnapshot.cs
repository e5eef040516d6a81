using Shoal.Catalog;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>An immutable view of one replica.</summary>
public sealed record ReplicaSnapshot
{
    /// <summary>The service.</summary>
    public required string Service { get; init; }

    /// <summary>The instance id (<c>app-1</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The 1-based replica index.</summary>
    public int Index { get; init; }

    /// <summary>The current pid, when running.</summary>
    public int? Pid { get; init; }

    /// <summary>The kernel start time of <see cref="Pid"/>.</summary>
    public long StartTime { get; init; }

    /// <summary>The port, or 0.</summary>
    public int Port { get; init; }

    /// <summary>The lifecycle state.</summary>
    public ReplicaState State { get; init; }

    /// <summary>The health the catalog carries.</summary>
    public InstanceHealth Health { get; init; } = InstanceHealth.Critical;

    /// <summary>How many times the replica was restarted.</summary>
    public int Restarts { get; init; }

    /// <summary>When the current process started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The exit code of the last process that exited.</summary>
    public int? LastExitCode { get; init; }

    /// <summary>The latest thing worth telling (last probe, exit reason).</summary>
    public string? Message { get; init; }

    /// <summary>Why the last process ended: <c>oom-killed</c>, <c>signaled</c> or <c>exited</c> (see <see cref="ExitReasons"/>).</summary>
    public string? LastExitReason { get; init; }

    /// <summary>How many of its processes the kernel killed at the memory limit.</summary>
    public int OomKills { get; init; }

    /// <summary>The runtime it runs in (<c>process</c>, <c>sandbox</c>, <c>oci</c>, <c>docker</c>).</summary>
    public string? Runtime { get; init; }

    /// <summary>The user it runs as (as the stack file names it), or null for the daemon's.</summary>
    public string? User { get; init; }

    /// <summary>Its limits, or null when it has none.</summary>
    public ReplicaLimits? Limits { get; init; }

    /// <summary>What it used at the last sample, or null when it is not running or its runtime cannot tell.</summary>
    public ReplicaUsage? Usage { get; init; }
}
