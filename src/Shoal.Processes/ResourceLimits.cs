namespace Shoal.Processes;

/// <summary>Resource limits for one process.</summary>
/// <param name="MemoryBytes">Hard memory limit, or null.</param>
/// <param name="CpuQuota">CPUs (e.g. 0.5), or null.</param>
/// <param name="MaxProcesses">Maximum pids, or null.</param>
public sealed record ResourceLimits(long? MemoryBytes, double? CpuQuota, int? MaxProcesses)
{
    /// <summary>No limits.</summary>
    public static ResourceLimits None { get; } = new(null, null, null);
}
