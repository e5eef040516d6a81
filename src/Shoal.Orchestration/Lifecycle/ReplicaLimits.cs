using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>The limits a replica runs under, as <c>ps</c> shows them (null: not limited).</summary>
public sealed record ReplicaLimits
{
    /// <summary>CPUs (0.25 is a quarter of one), or null.</summary>
    public double? Cpus { get; init; }

    /// <summary>Bytes of memory, or null.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Tasks (processes and threads), or null.</summary>
    public int? Pids { get; init; }

    /// <summary>The view of <paramref name="limits"/>, or null when it limits nothing.</summary>
    public static ReplicaLimits? Of(ResourceLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits == ResourceLimits.None ? null : new ReplicaLimits { Cpus = limits.CpuQuota, MemoryBytes = limits.MemoryBytes, Pids = limits.MaxProcesses };
    }
}
