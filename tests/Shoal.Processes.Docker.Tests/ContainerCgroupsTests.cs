namespace Shoal.Processes.Docker.Tests;

public sealed class ContainerCgroupsTests
{
    [Fact]
    public void Parse_HybridV1_TakesTheControllersShoalReads()
    {
        string[] lines =
        [
            "9:name=systemd:/docker/abc",
            "8:pids:/docker/abc",
            "7:blkio:/docker/abc",
            "6:freezer:/docker/abc",
            "4:memory:/docker/abc",
            "2:cpuacct:/docker/abc",
            "1:cpu:/docker/abc",
            "0::/docker/abc",
        ];

        var paths = ContainerCgroups.Parse(lines, "/nonexistent-cgroup-root").ToList();

        Assert.Equal(
            ["/nonexistent-cgroup-root/pids/docker/abc", "/nonexistent-cgroup-root/freezer/docker/abc", "/nonexistent-cgroup-root/memory/docker/abc", "/nonexistent-cgroup-root/cpuacct/docker/abc", "/nonexistent-cgroup-root/cpu/docker/abc"],
            paths);
    }

    [Fact]
    public void Parse_JoinedCpuHierarchy_UsesItsMountName() =>
        Assert.Equal(["/r/cpu,cpuacct/docker/abc"], ContainerCgroups.Parse(["3:cpu,cpuacct:/docker/abc"], "/r"));

    [Fact]
    public void Read_NoCgroups_IsNull() => Assert.Null(new ContainerCgroups([]).Read());
}
