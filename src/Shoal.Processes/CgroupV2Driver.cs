namespace Shoal.Processes;

/// <summary>
/// cgroup v2: one directory per instance in the unified hierarchy, <c>&lt;root&gt;/shoal/&lt;id&gt;</c>, with the memory,
/// cpu and pids controllers enabled down to it: <c>memory.max</c> (and no swap), <c>cpu.max</c> for <c>cpus</c> (else a
/// <c>cpu.weight</c> in proportion to memory), <c>pids.max</c>, <c>cgroup.freeze</c> and <c>cgroup.kill</c>.
/// </summary>
/// <param name="root">The unified hierarchy's mount point; a fake tree in tests.</param>
public sealed class CgroupV2Driver(string root = CgroupV1Driver.DefaultRoot) : ICgroupDriver
{
    private static readonly string[] Wanted = ["memory", "cpu", "pids"];

    /// <inheritdoc />
    public string Name => "cgroup-v2";

    /// <summary>True when the hierarchy offers the memory controller and its <c>shoal</c> directory exists or can be made.</summary>
    public bool IsAvailable()
    {
        try
        {
            if (CgroupFiles.Read(root, "cgroup.controllers") is not { } controllers || !controllers.Split(' ').Contains("memory"))
            {
                return false;
            }

            Directory.CreateDirectory(Path.Combine(root, "shoal"));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public ICgroup Create(string id, ResourceLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var parent = Path.Combine(root, "shoal");
        Directory.CreateDirectory(parent);

        // A child's limits exist only once its parent delegates the controllers to it: root → shoal → instance.
        EnableControllers(root);
        EnableControllers(parent);
        var name = CgroupFiles.Sanitize(id);
        var path = Path.Combine(parent, name);
        Directory.CreateDirectory(path);
        var cgroup = new V2Cgroup(path, "/shoal/" + name);
        cgroup.Apply(limits);
        return cgroup;
    }

    /// <inheritdoc />
    public ICgroup Open(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var path = paths.Count == 0 ? Path.Combine(root, "shoal", "none") : paths[0];
        return new V2Cgroup(path, "/shoal/" + Path.GetFileName(path));
    }

    private static void EnableControllers(string directory)
    {
        var available = (CgroupFiles.Read(directory, "cgroup.controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var enabled = (CgroupFiles.Read(directory, "cgroup.subtree_control") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var missing = Wanted.Where(c => available.Contains(c) && !enabled.Contains(c)).Select(c => "+" + c).ToArray();
        if (missing.Length > 0)
        {
            CgroupFiles.Write(directory, "cgroup.subtree_control", string.Join(' ', missing));
        }
    }

    private sealed class V2Cgroup(string path, string relativePath) : ICgroup
    {
        public IReadOnlyList<string> Paths { get; } = [path];

        public IReadOnlyList<string> JoinTargets { get; } = [Path.Combine(path, "cgroup.procs")];

        public string RelativePath => relativePath;

        public void Apply(ResourceLimits limits)
        {
            if (limits.MemoryBytes is { } memory)
            {
                CgroupFiles.Write(path, "memory.max", memory);
                if (File.Exists(Path.Combine(path, "memory.swap.max")))
                {
                    CgroupFiles.Write(path, "memory.swap.max", 0);
                }
            }

            if (limits.CpuQuota is { } cpus)
            {
                CgroupFiles.Write(path, "cpu.max", FormattableString.Invariant($"{CgroupFiles.QuotaFor(cpus)} {CgroupFiles.CpuPeriod}"));
            }
            else if (limits.MemoryBytes is { } memoryBytes)
            {
                // v1's shares (1024 = one CPU) as v2's weight (100 = default, 1..10000).
                CgroupFiles.Write(path, "cpu.weight", Math.Clamp(CgroupFiles.SharesFor(memoryBytes) * 100 / 1024, 1, 10000));
            }

            if (CgroupFiles.MaxProcessesFor(limits) is { } pids)
            {
                CgroupFiles.Write(path, "pids.max", pids);
            }
        }

        public void SetFrozen(bool frozen)
        {
            CgroupFiles.Write(path, "cgroup.freeze", frozen ? "1" : "0");
            var wanted = frozen ? 1 : 0;
            SpinWait.SpinUntil(
                () => !File.Exists(Path.Combine(path, "cgroup.events")) || CgroupFiles.ReadKey(path, "cgroup.events", "frozen") == wanted,
                TimeSpan.FromSeconds(1));
        }

        public ResourceUsage ReadUsage() => new(
            TimeSpan.FromTicks(CgroupFiles.ReadKey(path, "cpu.stat", "usage_usec") * 10),
            CgroupFiles.ReadNumber(path, "memory.current"),
            (int)CgroupFiles.ReadNumber(path, "pids.current"),
            (int)CgroupFiles.ReadKey(path, "memory.events", "oom_kill"));

        public void KillAndRemove()
        {
            try
            {
                if (File.Exists(Path.Combine(path, "cgroup.kill")))
                {
                    // One write kills every task, those forked meanwhile included, frozen or not (Linux 5.14).
                    CgroupFiles.Write(path, "cgroup.kill", "1");
                }
                else
                {
                    SetFrozen(frozen: false);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }

            CgroupFiles.KillTasks(Paths);
            CgroupFiles.Remove(Paths);
        }
    }
}
