using System.Globalization;

namespace Shoal.Processes.Tests;

/// <summary>
/// The host runtime's direct spawn (no sh, no setpriv): the program is the spawned pid, leads its session, writes to the
/// log with /dev/null as stdin, runs in the cgroups and as the user its throwaway thread took; the daemon keeps its own
/// cgroups and root on every thread, and a cgroup that refuses the thread starts nothing (the launcher then tries).
/// </summary>
[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DirectSpawnTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-direct-").FullName;
    private readonly List<string> _cgroups = [];

    public DirectSpawnTests() => File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);

    public void Dispose()
    {
        CgroupV1.KillAndRemove(_cgroups);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void TryStart_TheProgramIsTheSpawnedPid_LeadsItsSession_AndEndsWithItsExitCode()
    {
        var (pid, exit, log) = Run("/bin/sh", ["-c", "echo $$; cut -d' ' -f5,6 /proc/$$/stat; exit 7"]);

        Assert.Equal(7, exit);
        var self = pid.ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"{self}\n{self} {self}\n", log);
    }

    [Fact]
    public void TryStart_OutputAndErrorsGoToTheLog_WhichStaysRootsAndPrivate_AndStdinIsDevNull()
    {
        var (_, exit, log) = Run("/bin/sh", ["-c", "echo out; echo err >&2; readlink /proc/self/fd/0; cat; echo end"], ProcessUsers.Resolve("nobody"));

        Assert.Equal(0, exit);
        Assert.Equal("out\nerr\n/dev/null\nend\n", log);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogFile));
        Assert.Equal("Uid:\t0\t0\t0\t0", StatusLines("/proc/self/status", "Uid")[0]);
        Assert.Equal("0\n", RunToEnd("/usr/bin/stat", "-c", "%u", LogFile));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryStart_AUser_HasItsIdsOnly_NoCapabilities_NoNewPrivileges_AndTheDaemonStaysRoot(bool named)
    {
        var user = named ? ProcessUsers.Resolve("nobody") : new ProcessUser("4243", 4243, 4244);
        var daemonBefore = DaemonThreads();

        var (_, exit, log) = Run("/bin/grep", ["-E", "^(Uid|Gid|Groups|NoNewPrivs|CapPrm|CapEff|CapAmb):", "/proc/self/status"], user);

        Assert.Equal(0, exit);
        var uid = user.Uid.ToString(CultureInfo.InvariantCulture);
        var gid = user.Gid.ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{gid}\t{gid}\t{gid}\t{gid}\nGroups:\t \nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n", log);
        Assert.Equal(daemonBefore, DaemonThreads());
    }

    [Fact]
    public void TryStart_TheProgramIsInItsCgroups_AndNoDaemonThreadIsLeftInThem()
    {
        var cgroup = NewCgroup(ResourceLimits.None with { MaxProcesses = 16 });
        var daemonBefore = DaemonThreads();

        var (pid, exit, log) = Run("/bin/cat", ["/proc/self/cgroup"], ProcessUsers.Resolve("nobody"), cgroup.JoinTargets);

        Assert.Equal(0, exit);
        foreach (var controller in CgroupV1.Controllers)
        {
            Assert.Matches($@"(?m)^\d+:([a-z]+,)*{controller}(,[a-z]+)*:{cgroup.RelativePath}$", log);
        }

        Assert.Equal(daemonBefore, DaemonThreads());
        var daemon = Directory.GetDirectories("/proc/self/task").Select(Path.GetFileName).ToHashSet();
        Assert.All(cgroup.Paths, path => Assert.DoesNotContain(File.ReadAllLines(Path.Combine(path, "tasks")), daemon.Contains));
        Assert.NotEqual(0, pid);
    }

    [Fact]
    public void TryStart_ReturnsOnlyOnceItsThreadHasLeftTheCgroups()
    {
        // The thread ends just after the spawn, while the program runs: a sweep then must find only the program.
        var cgroup = NewCgroup(ResourceLimits.None);
        for (var round = 0; round < 20; round++)
        {
            var pid = TryStart("/bin/sleep", ["0.05"], null, cgroup.JoinTargets) ?? throw new InvalidOperationException("the direct spawn declined");
            var inCgroups = cgroup.Paths.SelectMany(path => File.ReadAllLines(Path.Combine(path, "tasks"))).ToHashSet();
            Assert.Equal(0, PosixSpawn.Wait(pid));

            Assert.Equal([pid.ToString(CultureInfo.InvariantCulture)], inCgroups);
        }
    }

    [Fact]
    public void TryStart_ACgroupThatRefusesTheThread_LeavesItToTheLauncher_AndStartsNothing()
    {
        // A cpuset cgroup with no cpus takes no task (ENOSPC): the kernel's own refusal, after a first join that worked.
        var first = NewCgroup(ResourceLimits.None);
        var cpuset = Directory.CreateDirectory(Path.Combine("/sys/fs/cgroup/cpuset", "shoal-test-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        _cgroups.Add(cpuset);
        var marker = Path.Combine(_directory, "ran");
        var daemonBefore = DaemonThreads();

        var pid = TryStart("/bin/touch", [marker], null, [first.JoinTargets[0], Path.Combine(cpuset, "cgroup.procs")]);

        Assert.Null(pid);
        Assert.False(File.Exists(marker));
        Assert.Empty(File.ReadAllLines(Path.Combine(first.Paths[0], "cgroup.procs")));
        Assert.Equal(daemonBefore, DaemonThreads());
    }

    [Fact]
    public void TryStart_TheWorkingDirectoryIsEnteredAsRoot_BeforeTheUserSwitch()
    {
        var closed = Directory.CreateDirectory(Path.Combine(_directory, "closed")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (_, exit, log) = Run("/bin/pwd", [], ProcessUsers.Resolve("nobody"), workingDirectory: closed);

        Assert.Equal(0, exit);
        Assert.Equal(closed + "\n", log);
    }

    [Fact]
    public void TryStart_WhatOnlyTheLauncherCanDo_GivesNull()
    {
        // A plain file for cgroup.procs (no tasks file beside it, as on cgroup v2), a program the kernel will not exec.
        var procs = Path.Combine(_directory, "cgroup.procs");
        File.WriteAllText(procs, "");
        var script = Path.Combine(_directory, "no-shebang");
        File.WriteAllText(script, "echo hi\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);

        Assert.Null(TryStart("/bin/true", [], null, [procs]));
        Assert.Null(TryStart(script, [], null, []));
    }

    private string LogFile => Path.Combine(_directory, "out.log");

    private (int Pid, int Exit, string Log) Run(string program, IReadOnlyList<string> arguments, ProcessUser? user = null, IReadOnlyList<string>? cgroups = null, string? workingDirectory = null)
    {
        var pid = TryStart(program, arguments, user, cgroups ?? [], workingDirectory) ?? throw new InvalidOperationException("the direct spawn declined");
        var exit = PosixSpawn.Wait(pid);
        return (pid, exit, File.ReadAllText(LogFile));
    }

    private int? TryStart(string program, IReadOnlyList<string> arguments, ProcessUser? user, IReadOnlyList<string> cgroups, string? workingDirectory = null)
    {
        Shoal.Files.PrivateFiles.Touch(LogFile);
        var environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" };
        return DirectSpawn.TryStart(program, arguments, environment, workingDirectory ?? _directory, LogFile, cgroups, user);
    }

    private ICgroup NewCgroup(ResourceLimits limits)
    {
        var cgroup = new CgroupV1Driver().Create("direct-" + Guid.NewGuid().ToString("N")[..8], limits);
        _cgroups.AddRange(cgroup.Paths);
        return cgroup;
    }

    // Every distinct (credentials, groups, cgroups) of this process's threads: one entry unless a thread was changed.
    private static HashSet<string> DaemonThreads()
    {
        var threads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var status = string.Join('\n', StatusLines(Path.Combine(task, "status"), "Uid", "Gid", "Groups", "CapEff", "NoNewPrivs"));
                threads.Add(status + "\n" + File.ReadAllText(Path.Combine(task, "cgroup")));
            }
            catch (IOException)
            {
                // A thread that ended between the listing and the read.
            }
        }

        Assert.Single(threads);
        return threads;
    }

    private static string RunToEnd(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static string[] StatusLines(string file, params string[] keys) =>
        [.. File.ReadAllLines(file).Where(line => keys.Any(key => line.StartsWith(key + ":", StringComparison.Ordinal)))];
}
