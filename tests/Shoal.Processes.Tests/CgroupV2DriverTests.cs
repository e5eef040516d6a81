namespace Shoal.Processes.Tests;

/// <summary>cgroup v2 cannot run on this (hybrid v1) machine: the driver against a fake unified tree in a temporary directory.</summary>
public sealed class CgroupV2DriverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("shoal-cgv2-").FullName;

    public CgroupV2DriverTests() => File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Create_WritesEveryLimit_AndEnablesTheControllersDownToTheInstance()
    {
        var driver = new CgroupV2Driver(_root);
        Directory.CreateDirectory(Path.Combine(_root, "shoal"));
        File.WriteAllText(Path.Combine(_root, "shoal", "cgroup.controllers"), "cpu memory pids\n");
        File.WriteAllText(Path.Combine(_root, "shoal", "cgroup.subtree_control"), "memory\n");
        var instance = Path.Combine(_root, "shoal", "fn_i-1");
        Directory.CreateDirectory(instance);
        File.WriteAllText(Path.Combine(instance, "memory.swap.max"), "max\n");

        var cgroup = driver.Create("fn/i-1", new ResourceLimits(64L * 1024 * 1024, 0.25, 32));

        Assert.Equal([instance], cgroup.Paths);
        Assert.Equal([Path.Combine(instance, "cgroup.procs")], cgroup.JoinTargets);
        Assert.Equal("/shoal/fn_i-1", cgroup.RelativePath);
        Assert.Equal("+memory +cpu +pids", Read(_root, "cgroup.subtree_control"));
        Assert.Equal("+cpu +pids", Read(Path.Combine(_root, "shoal"), "cgroup.subtree_control"));
        Assert.Equal("67108864", Read(instance, "memory.max"));
        Assert.Equal("0", Read(instance, "memory.swap.max"));
        Assert.Equal("25000 100000", Read(instance, "cpu.max"));
        Assert.Equal("32", Read(instance, "pids.max"));
        Assert.False(File.Exists(Path.Combine(instance, "cpu.weight")));
    }

    [Fact]
    public void Create_MemoryOnly_GivesAWeightInProportion_AndTheDefaultPidsLimit()
    {
        var cgroup = new CgroupV2Driver(_root).Create("i-2", ResourceLimits.None with { MemoryBytes = 1769L * 1024 * 1024 });

        var path = Assert.Single(cgroup.Paths);
        Assert.Equal("100", Read(path, "cpu.weight"));
        Assert.Equal("512", Read(path, "pids.max"));
        Assert.False(File.Exists(Path.Combine(path, "cpu.max")));
        Assert.False(File.Exists(Path.Combine(path, "memory.swap.max")));
    }

    [Fact]
    public void Create_CpusOnly_WritesNoMemoryAndNoPidsLimit()
    {
        var path = Assert.Single(new CgroupV2Driver(_root).Create("i-3", ResourceLimits.None with { CpuQuota = 1.5 }).Paths);

        Assert.Equal("150000 100000", Read(path, "cpu.max"));
        Assert.False(File.Exists(Path.Combine(path, "memory.max")));
        Assert.False(File.Exists(Path.Combine(path, "pids.max")));
    }

    [Fact]
    public void SetFrozen_WritesCgroupFreeze_AndWaitsForTheEvent()
    {
        var cgroup = new CgroupV2Driver(_root).Create("i-4", ResourceLimits.None);
        var path = cgroup.Paths[0];
        File.WriteAllText(Path.Combine(path, "cgroup.events"), "populated 1\nfrozen 1\n");

        cgroup.SetFrozen(frozen: true);
        Assert.Equal("1", Read(path, "cgroup.freeze"));

        File.WriteAllText(Path.Combine(path, "cgroup.events"), "populated 1\nfrozen 0\n");
        cgroup.SetFrozen(frozen: false);
        Assert.Equal("0", Read(path, "cgroup.freeze"));
    }

    [Fact]
    public void ReadUsage_ParsesCpuStatMemoryPidsAndOomKills()
    {
        var cgroup = new CgroupV2Driver(_root).Create("i-5", ResourceLimits.None);
        var path = cgroup.Paths[0];
        File.WriteAllText(Path.Combine(path, "cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_throttled 3\n");
        File.WriteAllText(Path.Combine(path, "memory.current"), "1048576\n");
        File.WriteAllText(Path.Combine(path, "pids.current"), "7\n");
        File.WriteAllText(Path.Combine(path, "memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");

        Assert.Equal(new ResourceUsage(TimeSpan.FromSeconds(2.5), 1048576, 7, 1), cgroup.ReadUsage());
    }

    [Fact]
    public void ReadUsage_NothingReadable_IsZero()
    {
        var cgroup = new CgroupV2Driver(_root).Open([Path.Combine(_root, "shoal", "gone")]);

        Assert.Equal(new ResourceUsage(TimeSpan.Zero, 0, 0, 0), cgroup.ReadUsage());
    }

    [Fact]
    public void KillAndRemove_WritesCgroupKill()
    {
        var cgroup = new CgroupV2Driver(_root).Create("i-6", ResourceLimits.None);
        var path = cgroup.Paths[0];
        File.WriteAllText(Path.Combine(path, "cgroup.kill"), "");

        cgroup.KillAndRemove();

        Assert.Equal("1", Read(path, "cgroup.kill"));
    }

    [Fact]
    public void Detect_UnifiedTreeWithMemory_IsV2_WithoutMemory_IsNotV2()
    {
        Assert.IsType<CgroupV2Driver>(CgroupDrivers.Detect(_root));

        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "hugetlb\n");
        Assert.Null(CgroupDrivers.Detect(_root));
    }

    [Fact]
    public void Open_ADirectoryWithControllers_IsV2_AndMemoryLimitReadsMemoryMax()
    {
        var cgroup = new CgroupV2Driver(_root).Create("i-7", ResourceLimits.None with { MemoryBytes = 4096 });
        File.WriteAllText(Path.Combine(cgroup.Paths[0], "cgroup.controllers"), "memory\n");

        Assert.Equal(4096, CgroupV1.MemoryLimit(cgroup.Paths));
        Assert.Equal("/shoal/i-7", CgroupDrivers.Open(cgroup.Paths).RelativePath);
    }

    private static string Read(string directory, string file) => File.ReadAllText(Path.Combine(directory, file)).Trim();
}
