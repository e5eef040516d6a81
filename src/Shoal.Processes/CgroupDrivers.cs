namespace Shoal.Processes;

/// <summary>Picks the cgroup version this machine offers.</summary>
public static class CgroupDrivers
{
    /// <summary>
    /// v2 when the unified hierarchy at <paramref name="root"/> offers the memory controller, else v1 when its
    /// hierarchies are writable (a v1 or hybrid host as root), else null (no cgroups: limits are not enforced).
    /// </summary>
    public static ICgroupDriver? Detect(string root = CgroupV1Driver.DefaultRoot)
    {
        var v2 = new CgroupV2Driver(root);
        if (v2.IsAvailable())
        {
            return v2;
        }

        var v1 = new CgroupV1Driver(root);
        return v1.IsAvailable() ? v1 : null;
    }

    /// <summary>The driver that made cgroups at <paramref name="paths"/> (v2: one directory with <c>cgroup.controllers</c>).</summary>
    public static ICgroup Open(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var v2 = paths.Count == 1 && File.Exists(Path.Combine(paths[0], "cgroup.controllers"));
        ICgroupDriver driver = v2 ? new CgroupV2Driver() : new CgroupV1Driver();
        return driver.Open(paths);
    }
}
