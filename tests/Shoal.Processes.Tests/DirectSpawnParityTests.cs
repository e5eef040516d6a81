namespace Shoal.Processes.Tests;

/// <summary>
/// The host runtime's two ways of starting a process, the direct spawn and the launcher it falls back to (sh, setpriv),
/// give a program the same environment, identity, descriptors and scope; the launcher still works on its own.
/// </summary>
[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DirectSpawnParityTests : RuntimeTestBase
{
    private readonly ProcessScope _scope = new("test-" + Guid.NewGuid().ToString("N")[..12]);

    protected override IProcessRuntime Runtime { get; } = new HostProcessRuntime(TimeProvider.System);

    public override async Task DisposeAsync()
    {
        _scope.SweepAll();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Environment_IsWhatTheShellPassedOn()
    {
        // dash drops names it cannot hold, exports PWD (the physical path unless the given one names the directory) and
        // resets IFS, OPTIND and PPID; the program here is env itself, with no shell of its own in between.
        var link = Path.Combine(Directory, "link");
        File.CreateSymbolicLink(link, Directory);
        var variables = new Dictionary<string, string> { ["FOO"] = "bar", ["bad-name"] = "1", ["IFS"] = "x", ["OPTIND"] = "5", ["PPID"] = "1", ["PWD"] = "/nonexistent" };
        var spec = Shell("") with { FileName = "/usr/bin/env", Arguments = [], Environment = variables, WorkingDirectory = link };

        var (direct, launcher) = await BothAsync(spec);
        var (directLink, launcherLink) = await BothAsync(spec with { Environment = new Dictionary<string, string>(variables) { ["PWD"] = link } });

        Assert.Equal(Sorted(launcher), Sorted(direct));
        Assert.Contains($"PWD={Directory}", Sorted(direct));
        Assert.Equal(Sorted(launcherLink), Sorted(directLink));
        Assert.Contains($"PWD={link}", Sorted(directLink));
    }

    [Fact]
    public async Task AUser_GetsTheSameCredentials_Descriptors_AndDirectory_EitherWay()
    {
        // The working directory is root's alone: both ways enter it as root, before the switch.
        var closed = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "closed")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = "grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs|Seccomp):' /proc/self/status; ls /proc/$$/fd; readlink /proc/$$/fd/0; pwd; umask";
        var spec = Shell(script) with { User = ProcessUsers.Resolve("nobody"), WorkingDirectory = closed };

        var (direct, launcher) = await BothAsync(spec);

        Assert.Equal(launcher, direct);
        Assert.Contains("NoNewPrivs:\t1", direct, StringComparison.Ordinal);
        Assert.Contains($"\n{closed}\n", direct, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScope_PutsTheProgramInItsCgroup_WithItsMarker_EitherWay()
    {
        Assert.True(_scope.UsesCgroups);
        var runtime = new HostProcessRuntime(TimeProvider.System, _scope);
        var launcher = new HostProcessRuntime(TimeProvider.System, _scope) { SpawnsDirectly = false };
        var spec = Shell("grep ':pids:' /proc/self/cgroup; echo $SHOAL_SCOPE");

        foreach (var output in new[] { await RunWithAsync(runtime, spec), await RunWithAsync(launcher, spec with { LogFile = spec.LogFile + ".2" }) })
        {
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches($@"^\d+:pids:/shoal/scope-{_scope.Key}/t-[0-9a-f]+\.[0-9a-f]{{8}}$", lines[0]);
            Assert.Equal(_scope.Key + "/" + lines[0][(lines[0].LastIndexOf('/') + 1)..], lines[1]);
        }
    }

    [Fact]
    public async Task AJoinThatFails_Exits125_EitherWay()
    {
        var cpuset = System.IO.Directory.CreateDirectory(Path.Combine("/sys/fs/cgroup/cpuset", "shoal-test-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var spec = Shell("echo ran") with { JoinCgroups = [Path.Combine(cpuset, "cgroup.procs")] };

            // A replica's restart policy treats 125 as a crash (a join can fail for a moment): the direct spawn leaves a
            // refused join to the launcher rather than failing the start for good.
            foreach (var runtime in new[] { Runtime, new HostProcessRuntime(TimeProvider.System) { SpawnsDirectly = false } })
            {
                var handle = await runtime.StartAsync(spec, CancellationToken.None);
                Assert.Equal(125, await handle.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
                await handle.DisposeAsync();
            }

            Assert.DoesNotContain("ran", await File.ReadAllTextAsync(spec.LogFile), StringComparison.Ordinal);
        }
        finally
        {
            System.IO.Directory.Delete(cpuset);
        }
    }

    private async Task<(string Direct, string Launcher)> BothAsync(ProcessSpec spec)
    {
        var log = Path.Combine(Directory, "out-" + Guid.NewGuid().ToString("N")[..8]);
        var direct = await RunWithAsync(Runtime, spec with { LogFile = log + ".direct" });
        var launcher = await RunWithAsync(new HostProcessRuntime(TimeProvider.System) { SpawnsDirectly = false }, spec with { LogFile = log + ".launcher" });
        return (direct, launcher);
    }

    private static async Task<string> RunWithAsync(IProcessRuntime runtime, ProcessSpec spec)
    {
        var handle = await runtime.StartAsync(spec, CancellationToken.None);
        var exit = await handle.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        await handle.DisposeAsync();
        var output = await File.ReadAllTextAsync(spec.LogFile);
        Assert.True(exit == 0, $"exit {exit}: {output}");
        return output;
    }

    private static string[] Sorted(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
}
