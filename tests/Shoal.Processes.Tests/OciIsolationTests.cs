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
        var handle = await StartAsync(Shell("trap 'exit 3' TERM; while :; do sleep 0.1; done", ResourceLimits.None with { MaxProcesses = 8 }));
        // Two processes: the shell has set its trap and runs its loop's sleep. One could still be runc's init before it
        // executes the shell, which a SIGTERM would reach untrapped (on a loaded machine the gap is long).
        await Shoal.Testing.Poll.UntilAsync(() => handle.ReadUsage()!.Processes > 1, TimeSpan.FromSeconds(20), "the container's shell to run its loop");

        await handle.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(3, await handle.Exited);
        Assert.All(handle.Cgroups, p => Assert.False(System.IO.Directory.Exists(p)));
        Assert.False(System.IO.Directory.Exists(Path.Combine(_state, "runc", Path.GetFileName(handle.Cgroups[0]))));
    }
}
