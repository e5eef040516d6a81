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
}
