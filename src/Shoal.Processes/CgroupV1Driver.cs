namespace Shoal.Processes;

/// <summary>
/// cgroup v1: one hierarchy per controller under <c>&lt;root&gt;/&lt;controller&gt;/shoal/&lt;id&gt;</c> — memory (swap
/// included where accounted), cpu (a CFS quota for <c>cpus</c>, else shares in proportion to memory, as Lambda gives
/// CPU), cpuacct (usage; mounted apart from cpu on some hosts, together on others), pids, and the freezer.
/// </summary>
/// <param name="root">The hierarchies' mount point; internal for tests.</param>
public sealed class CgroupV1Driver(string root = CgroupV1Driver.DefaultRoot) : ICgroupDriver
{
    /// <summary>Where the hierarchies are mounted.</summary>
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>The controllers Shoal uses, in the order a process joins them.</summary>
    public static IReadOnlyList<string> Controllers { get; } = ["memory", "cpu", "cpuacct", "pids", "freezer"];

    /// <inheritdoc />
    public string Name => "cgroup-v1";

    /// <summary>True when every controller's <c>shoal</c> directory exists or can be made.</summary>
    public bool IsAvailable()
    {
        try
        {
            foreach (var controller in Controllers)
            {
                var parent = Path.Combine(root, controller);
                if (!File.Exists(Path.Combine(parent, "cgroup.procs")))
                {
                    return false;
                }

                Directory.CreateDirectory(Path.Combine(parent, "shoal"));
            }

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
        var name = CgroupFiles.Sanitize(id);
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var controller in Controllers)
        {
            // Where cpu and cpuacct share a hierarchy (cpu,cpuacct with two symlinks) the directory is made once.
            var hierarchy = Path.Combine(root, controller);
            var target = new DirectoryInfo(hierarchy).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? hierarchy;
            if (!seen.Add(target))
            {
                continue;
            }

            var path = Path.Combine(hierarchy, "shoal", name);
            Directory.CreateDirectory(path);
            paths.Add(path);
        }

        var cgroup = new V1Cgroup(paths, "/shoal/" + name);
        cgroup.Apply(limits);
        return cgroup;
    }

    /// <inheritdoc />
    public ICgroup Open(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var first = paths.Count == 0 ? "" : paths[0];
        return new V1Cgroup(paths, "/shoal/" + Path.GetFileName(first));
    }

    private sealed class V1Cgroup(IReadOnlyList<string> paths, string relativePath) : ICgroup
    {
        public IReadOnlyList<string> Paths => paths;

        public IReadOnlyList<string> JoinTargets { get; } = [.. paths.Select(p => Path.Combine(p, "cgroup.procs"))];

        public string RelativePath => relativePath;

        private string? Memory => Find("memory");

        private string? Cpu => Find("cpu");

        private string? CpuAccounting => Find("cpuacct") ?? Cpu;

        private string? Pids => Find("pids");

        private string? Freezer => Find("freezer");

        public void Apply(ResourceLimits limits)
        {
            if (limits.MemoryBytes is { } memory && Memory is { } memoryPath)
            {
                // limit_in_bytes must stay ≤ memsw.limit_in_bytes: lowering from unlimited, write the limit first.
                CgroupFiles.Write(memoryPath, "memory.limit_in_bytes", memory);
                if (File.Exists(Path.Combine(memoryPath, "memory.memsw.limit_in_bytes")))
                {
                    CgroupFiles.Write(memoryPath, "memory.memsw.limit_in_bytes", memory);
                }
            }

            if (Cpu is { } cpuPath)
            {
                if (limits.CpuQuota is { } cpus)
                {
                    CgroupFiles.Write(cpuPath, "cpu.cfs_period_us", CgroupFiles.CpuPeriod);
                    CgroupFiles.Write(cpuPath, "cpu.cfs_quota_us", CgroupFiles.QuotaFor(cpus));
                }
                else if (limits.MemoryBytes is { } memoryBytes)
                {
                    // A weight rather than a quota, so an idle machine is not wasted.
                    CgroupFiles.Write(cpuPath, "cpu.shares", CgroupFiles.SharesFor(memoryBytes));
                }
            }

            if (CgroupFiles.MaxProcessesFor(limits) is { } pids && Pids is { } pidsPath)
            {
                CgroupFiles.Write(pidsPath, "pids.max", pids);
            }
        }

        public void SetFrozen(bool frozen)
        {
            if (Freezer is not { } freezer)
            {
                return;
            }

            var state = frozen ? "FROZEN" : "THAWED";
            CgroupFiles.Write(freezer, "freezer.state", state);

            // FROZEN passes through FREEZING until every task has stopped; a caller that measures must see it done.
            SpinWait.SpinUntil(() => CgroupFiles.Read(freezer, "freezer.state") is not { } now || now == state, TimeSpan.FromSeconds(1));
        }

        public ResourceUsage ReadUsage() => new(
            TimeSpan.FromTicks((CpuAccounting is { } cpu ? CgroupFiles.ReadNumber(cpu, "cpuacct.usage") : 0) / 100),
            Memory is { } memory ? CgroupFiles.ReadNumber(memory, "memory.usage_in_bytes") : 0,
            (int)(Pids is { } pids ? CgroupFiles.ReadNumber(pids, "pids.current") : 0),
            (int)(Memory is { } m ? CgroupFiles.ReadKey(m, "memory.oom_control", "oom_kill") : 0));

        public void KillAndRemove()
        {
            try
            {
                SetFrozen(frozen: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }

            CgroupFiles.KillTasks(paths);
            CgroupFiles.Remove(paths);
        }

        private string? Find(string controller) =>
            paths.FirstOrDefault(p => p.Contains("/" + controller + "/", StringComparison.Ordinal));
    }
}
