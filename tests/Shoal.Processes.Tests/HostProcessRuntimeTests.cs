using System.Globalization;

namespace Shoal.Processes.Tests;

/// <summary>
/// What the host runtime's spawn gives the program: its own session and process group, every signal at its default and
/// none blocked, the exit code or 128 + the signal; with a user, that user's ids and nothing more.
/// </summary>
[Collection(RealRuntimes.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostProcessRuntimeTests : RuntimeTestBase
{
    protected override IProcessRuntime Runtime { get; } = new HostProcessRuntime(TimeProvider.System);

    [Fact]
    public async Task Start_TheProgramLeadsItsOwnSession_WithEverySignalAtItsDefault()
    {
        // The daemon (.NET) ignores SIGPIPE and blocks signals on its threads: none of it may reach the program. The
        // program reads its own status (cat: no shell, whose forks block every signal for a moment, reading the mask of
        // another process mid-fork).
        var output = await RunAsync(Shell("") with { FileName = "/bin/cat", Arguments = ["/proc/self/stat", "/proc/self/status"] });

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stat = lines[0][(lines[0].LastIndexOf(')') + 2)..].Split(' ');
        var pid = lines[0][..lines[0].IndexOf(' ', StringComparison.Ordinal)];
        Assert.Equal((pid, pid), (stat[2], stat[3]));
        Assert.Contains("SigBlk:\t0000000000000000", lines);
        Assert.Contains("SigIgn:\t0000000000000000", lines);
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("kill -9 $$", 137)]
    public async Task Exited_IsTheExitCode_Or128PlusTheSignal(string script, int expected)
    {
        var handle = await StartAsync(Shell(script));

        Assert.Equal(expected, await handle.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_AUser_HasItsIdsOnly_NoOtherGroups_AndNoNewPrivileges(bool named)
    {
        // A named user goes to setpriv by name, ids without an entry by number: the same identity either way.
        var user = named ? ProcessUsers.EnsureSystemUser() : new ProcessUser("4243", 4243, 4244);
        var spec = Shell("grep -E '^(Uid|Gid|Groups|NoNewPrivs):' /proc/self/status") with { User = user };

        var output = await RunAsync(spec);

        var uid = user.Uid.ToString(CultureInfo.InvariantCulture);
        var gid = user.Gid.ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{gid}\t{gid}\t{gid}\t{gid}\nGroups:\t \nNoNewPrivs:\t1\n", output);
    }
}
