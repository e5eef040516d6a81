namespace Shoal.Processes.Tests;

/// <summary>The bare process runtime with cgroups (this machine: v1, root).</summary>
[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProcessRuntimeLimitsTests : RuntimeLimitsTests
{
    protected override IProcessRuntime Runtime { get; } = new CgroupProcessRuntime(new HostProcessRuntime(TimeProvider.System), CgroupDrivers.Detect());

    [Fact]
    public void Detect_OnThisMachine_IsV1()
    {
        Assert.Equal("process+cgroup-v1", Runtime.Name);
    }
}
