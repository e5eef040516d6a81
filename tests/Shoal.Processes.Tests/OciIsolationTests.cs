namespace Shoal.Processes.Tests;

[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OciIsolationTests : IsolationTests
{
    private readonly string _state = System.IO.Directory.CreateTempSubdirectory("shoal-oci-").FullName;

    public OciIsolationTests() => Runtime = OciProcessRuntime.Create(TimeProvider.System, null, _state);

    protected override IProcessRuntime Runtime { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        var bundles = Path.Combine(_state, "bundles");
        Assert.Empty(System.IO.Directory.Exists(bundles) ? System.IO.Directory.GetDirectories(bundles) : []);
        System.IO.Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public void Create_WithoutRunc_NamesThePackage()
    {
        var error = Assert.Throws<ProcessStartException>(() => OciProcessRuntime.Create(TimeProvider.System, null, _state, runc: "/nonexistent/runc"));

        Assert.Equal("runtime 'oci' needs runc: apt-get install runc", error.Message);
    }

    [Fact]
    public async Task Stop_RemovesTheContainerItsCgroupAndItsBundle()
    {
        var spec = Shell("trap 'exit 3' TERM; echo trapped; while :; do sleep 0.1; done", ResourceLimits.None with { MaxProcesses = 8 });
        var handle = await StartAsync(spec);
        // Wait for the shell's own word that its trap is set. Counting processes is not enough: runc's init forks its
        // setup stages inside the container's cgroup, and a SIGTERM to the container's pid 1 before it executes the shell
        // is ignored (a pid namespace's init has no default signal actions), which ends in the SIGKILL (137).
        await Shoal.Testing.Poll.UntilAsync(() => File.Exists(spec.LogFile) && File.ReadAllText(spec.LogFile).Contains("trapped", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the container's shell to set its trap");

        await handle.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(3, await handle.Exited);
        Assert.All(handle.Cgroups, p => Assert.False(System.IO.Directory.Exists(p)));
        Assert.False(System.IO.Directory.Exists(Path.Combine(_state, "runc", Path.GetFileName(handle.Cgroups[0]))));
    }
}
