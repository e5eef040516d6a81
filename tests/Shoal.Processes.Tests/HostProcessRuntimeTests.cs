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
        // The daemon (.NET) ignores SIGPIPE and blocks signals on its threads: none of it may reach the program.
        var output = await RunAsync(Shell("echo $$; cut -d' ' -f5,6 /proc/$$/stat; grep -E '^Sig(Blk|Ign):' /proc/$$/status"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var pid = lines[0];
        Assert.Equal($"{pid} {pid}", lines[1]);
        Assert.Equal("SigBlk:\t0000000000000000", lines[2]);
        Assert.Equal("SigIgn:\t0000000000000000", lines[3]);
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
