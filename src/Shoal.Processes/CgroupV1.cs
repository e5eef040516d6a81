namespace Shoal.Processes;

/// <summary>Helpers over an instance's cgroup directories as its handle reported them, whichever version made them.</summary>
public static class CgroupV1
{
    /// <summary>The v1 controllers Shoal uses, in the order a process joins them.</summary>
    public static IReadOnlyList<string> Controllers => CgroupV1Driver.Controllers;

    /// <summary>Tasks per memory-limited instance when no pids limit is given.</summary>
    public const int MaxProcesses = CgroupFiles.DefaultMaxProcesses;

    /// <summary>True when the v1 hierarchies are writable.</summary>
    public static bool IsAvailable() => new CgroupV1Driver().IsAvailable();

    /// <summary>Makes a v1 cgroup with a memory limit; returns its directories.</summary>
    public static IReadOnlyList<string> Create(string id, long memoryBytes) =>
        new CgroupV1Driver().Create(id, ResourceLimits.None with { MemoryBytes = memoryBytes }).Paths;

    /// <summary>Freezes (or thaws) every task of the instance.</summary>
    public static void SetFrozen(IReadOnlyList<string> paths, bool frozen) => CgroupDrivers.Open(paths).SetFrozen(frozen);

    /// <summary>Kills every task left in the instance's cgroups (thawed first) and removes them.</summary>
    public static void KillAndRemove(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count > 0)
        {
            CgroupDrivers.Open(paths).KillAndRemove();
        }
    }

    /// <summary>Bytes of memory the instance's cgroup has as its limit (<c>memory.limit_in_bytes</c> or <c>memory.max</c>), or null.</summary>
    public static long? MemoryLimit(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            foreach (var file in new[] { "memory.limit_in_bytes", "memory.max" })
            {
                if (CgroupFiles.Read(path, file) is { } text && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
                {
                    return bytes;
                }
            }
        }

        return null;
    }

    /// <summary>A cgroup directory name for an instance id.</summary>
    public static string Sanitize(string id) => CgroupFiles.Sanitize(id);
}
