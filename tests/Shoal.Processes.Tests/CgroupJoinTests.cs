using Shoal.Testing;

namespace Shoal.Processes.Tests;

/// <summary>
/// The host runtime's one launcher: it joins the spec's cgroups (and the scope's, unless the spec brings a cgroup of its
/// own in the same hierarchy) before the program runs, and a join that fails stops the start there.
/// </summary>
[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CgroupJoinTests : RuntimeTestBase
{
    protected override IProcessRuntime Runtime { get; } = new HostProcessRuntime(TimeProvider.System);

    [Fact]
    public async Task JoinCgroups_EachTargetGetsThePidBeforeTheProgramRuns()
    {
        // Plain files stand for cgroup.procs: the launcher writes its pid, which the program keeps when exec'd.
        var targets = new[] { Path.Combine(Directory, "a.procs"), Path.Combine(Directory, "b.procs") };
        var spec = Shell("cat " + string.Join(' ', targets) + "; echo $$") with { JoinCgroups = targets };

        var lines = (await RunAsync(spec)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.Equal(lines[2], lines[0]);
        Assert.Equal(lines[2], lines[1]);
    }

    [Fact]
    public async Task JoinCgroups_AJoinThatFails_StopsTheStartBeforeTheProgram()
    {
        var marker = Path.Combine(Directory, "ran");
        var spec = Shell($"touch {marker}") with { JoinCgroups = [Path.Combine(Directory, "missing", "cgroup.procs")] };

        var handle = await StartAsync(spec);

        Assert.Equal(125, await handle.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(File.Exists(marker));
        Assert.Contains("missing", await File.ReadAllTextAsync(spec.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scope_ASpecWithItsOwnCgroupInTheScopesHierarchy_GetsTheMarkerButNoScopeCgroup()
    {
        // The scope's hierarchy stands in a temporary directory: the launcher only writes pids into cgroup.procs files.
        var hierarchy = Path.Combine(Directory, "pids");
        var own = System.IO.Directory.CreateDirectory(Path.Combine(hierarchy, "shoal", "own")).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(hierarchy, "shoal", "scope-k"));
        File.WriteAllText(Path.Combine(hierarchy, "cgroup.procs"), "");
        var scope = new ProcessScope("k", Path.Combine(hierarchy, "shoal"));
        var runtime = new HostProcessRuntime(TimeProvider.System, scope);
        var spec = Shell("echo $SHOAL_SCOPE") with { JoinCgroups = [Path.Combine(own, "cgroup.procs")] };

        var handle = await runtime.StartAsync(spec, CancellationToken.None);
        Assert.Equal(0, await handle.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
        await handle.DisposeAsync();

        Assert.StartsWith("k/", await File.ReadAllTextAsync(spec.LogFile), StringComparison.Ordinal);
        Assert.Empty(System.IO.Directory.GetDirectories(Path.Combine(hierarchy, "shoal", "scope-k")));
        Assert.Equal(handle.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(own, "cgroup.procs")).Trim());
    }
}
