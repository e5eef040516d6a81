namespace Shoal.Orchestration.Lifecycle;

/// <summary>What a running replica used at the last sample (every <see cref="StackSupervisor.UsageInterval"/>).</summary>
public sealed record ReplicaUsage
{
    /// <summary>CPU used over the last sampling interval, in percent of one CPU (25 for a quarter), or over its life at the first sample.</summary>
    public double CpuPercent { get; init; }

    /// <summary>CPU time used since the replica's process started.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Memory charged to it now (its cgroup's count; the resident set of its process where it has no cgroup of its own).</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Tasks (processes and threads) alive in it.</summary>
    public int Pids { get; init; }

    /// <summary>True when the figures come from the process alone (no cgroup of its own): its children are not counted.</summary>
    public bool ProcessOnly { get; init; }
}
