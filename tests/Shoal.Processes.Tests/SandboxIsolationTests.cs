namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SandboxIsolationTests : IsolationTests
{
    protected override IProcessRuntime Runtime { get; } = SandboxProcessRuntime.Create(TimeProvider.System);

    [Fact]
    public void Create_WithoutBubblewrap_NamesThePackage()
    {
        var error = Assert.Throws<ProcessStartException>(() => SandboxProcessRuntime.Create(TimeProvider.System, bwrap: "/nonexistent/bwrap"));

        Assert.Equal("runtime 'sandbox' needs bubblewrap: apt-get install bubblewrap", error.Message);
    }

    [Fact]
    public void Name_SaysTheCgroups()
    {
        Assert.Equal("sandbox+cgroup-v1", Runtime.Name);
    }
}
