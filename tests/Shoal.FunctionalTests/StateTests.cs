using System.Globalization;
using System.Runtime.Versioning;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// The stack's files and how <c>down</c> finds what runs, end to end: private modes, a corrupt state file or registry
/// database reported (never taken as "nothing runs" or as an empty registry), the daemon found by its lock, and
/// process trees — <c>setsid</c> escapees included — gone after <c>down</c>.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StateTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    /// <summary>A replica that starts a child in a session of its own (out of its process group), records its pid, and runs on.</summary>
    private const string EscapingStack = """
        name: escape
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          worker:
            command: [bash, -c, "setsid sleep 3600 & echo $! > \"$SHOAL_DATA_DIR/child-$SHOAL_REPLICA.pid\"; exec sleep 3600"]
            replicas: 2
        """;

    [Fact]
    public async Task Up_StateDirectoryAndFiles_AreTheOwnersOnly()
    {
        var stack = TestStack.Create(Stacks.SampleApp(replicas: 1));
        await using var _ = stack;

        // What an older version left readable is tightened.
        var state = Path.Combine(stack.Directory, ".shoal");
        Directory.CreateDirectory(Path.Combine(state, "logs"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var old = Path.Combine(state, "logs", "app-9.log");
        await File.WriteAllTextAsync(old, "an older run's output");
        File.SetUnixFileMode(old, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var up = await stack.ShoalAsync("up", "-d");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(state));
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(Path.Combine(state, "logs")));
        var files = new[] { "state.json", "daemon.lock", "registry.db", "registry.db-wal", "registry.db-shm", "shoal.log", "logs/app-1.log", "logs/previous/app-9.log" };
        foreach (var file in files)
        {
            var path = Path.Combine(state, file);
            Assert.True(File.Exists(path), $"{file} exists");
            Assert.True(File.GetUnixFileMode(path) == Private, $"{file} is {File.GetUnixFileMode(path)}");
        }

        // Everything Shoal keeps is private; what the services write into their data directories is theirs.
        var data = Path.Combine(state, "data");
        var readable = Directory.EnumerateFileSystemEntries(state, "*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(data + "/", StringComparison.Ordinal) || Directory.Exists(p))
            .Where(p => (File.GetUnixFileMode(p) & ~PrivateDirectory) != 0)
            .ToList();
        Assert.Empty(readable);
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(Path.Combine(data, "app")));
    }

    [Fact]
    public async Task Down_WithAGarbageStateFile_StopsTheDaemonAndEveryReplica_AndReportsTheCorruption()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        var pids = stack.RecordedPids();
        var stateFile = Path.Combine(stack.Directory, ".shoal", "state.json");
        await File.WriteAllTextAsync(stateFile, "garbage");

        var ps = await stack.ShoalAsync("ps");
        var down = await stack.ShoalAsync("down");

        Assert.Equal(1, ps.ExitCode);
        Assert.Contains($"{stateFile} is not valid JSON", ps.Stderr, StringComparison.Ordinal);
        Assert.Contains($"pid {pids["shoal"]}, found by its lock", ps.Stderr, StringComparison.Ordinal);
        Assert.True(down.ExitCode == 1, down.ToString());
        Assert.Contains($"error: {stateFile} is not valid JSON (line 1, byte 1). The stack was stopped anyway: the daemon (pid {pids["shoal"]}, found by its lock)", down.Stderr, StringComparison.Ordinal);
        foreach (var (id, pid) in pids)
        {
            Assert.False(ProcessUtil.IsAlive(pid), $"{id} (pid {pid}) is still alive after down");
        }

        var again = await stack.ShoalAsync("down");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Nothing is running", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_WhileTheDaemonRuns_WithAGarbageStateFile_IsRefused()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 1));
        var daemon = stack.RecordedPids()["shoal"];
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, ".shoal", "state.json"), "{\"stack\":");

        var again = await stack.ShoalAsync("up", "-d");

        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains($"stack 'e2e' is already running (pid {daemon})", again.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("healthy", again.Stdout, StringComparison.Ordinal);
        Assert.True(ProcessUtil.IsAlive(daemon));
    }

    [Fact]
    public async Task Up_WhileTheDaemonRuns_WithNoStateFile_IsRefused()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 1));
        var pids = stack.RecordedPids();
        File.Delete(Path.Combine(stack.Directory, ".shoal", "state.json"));

        var again = await stack.ShoalAsync("up", "-d");
        var down = await stack.ShoalAsync("down");

        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains($"is already running (pid {pids["shoal"]})", again.Stderr, StringComparison.Ordinal);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.All(pids.Values, pid => Assert.False(ProcessUtil.IsAlive(pid), $"pid {pid} is still alive after down"));
    }

    [Theory]
    [InlineData("garbage", "is not a SQLite database")]
    [InlineData("truncated", "is empty (0 bytes) but its write-ahead log")]
    public async Task Up_WithADamagedRegistryDatabase_ExitsOneNamingTheFile(string damage, string expected)
    {
        var stack = TestStack.Create(Stacks.SampleApp(replicas: 1));
        await using var _ = stack;
        var database = Path.Combine(stack.Directory, ".shoal", "registry.db");
        Assert.Equal(0, (await stack.ShoalAsync("up", "-d")).ExitCode);
        var pids = stack.RecordedPids();
        ProcessUtil.Signal(pids["shoal"], "-9");
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(pids["shoal"]), s_wait, "the daemon to die");
        if (damage == "garbage")
        {
            await File.WriteAllTextAsync(database, "this is not a database, it only has the name of one");
        }
        else
        {
            // The WAL a killed daemon leaves holds the data; the database file itself lost everything.
            Assert.True(new FileInfo(database + "-wal").Length > 0, "the WAL holds the registrations");
            await using (File.Open(database, FileMode.Truncate))
            {
            }
        }

        var up = await stack.ShoalAsync("up", "-d");

        Assert.True(up.ExitCode == 1, up.ToString());
        Assert.Contains($"{database} {expected}", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not start on it with an empty registry", up.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_StopsASetsidChildOfAReplica()
    {
        await using var stack = await TestStack.StartAsync(EscapingStack);
        var pids = stack.RecordedPids();
        var children = await ChildrenAsync(stack, pids);

        var down = await stack.ShoalAsync("down");

        Assert.True(down.ExitCode == 0, down.ToString());
        await AssertAllGoneAsync(pids.Values.Concat(children));
    }

    [Fact]
    public async Task Down_AfterTheDaemonWasKilled_StopsASetsidChildOfAReplica()
    {
        await using var stack = await TestStack.StartAsync(EscapingStack);
        var pids = stack.RecordedPids();
        var children = await ChildrenAsync(stack, pids);
        ProcessUtil.Signal(pids["shoal"], "-9");
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(pids["shoal"]), s_wait, "the daemon to die");
        Assert.All(children, child => Assert.True(ProcessUtil.IsAlive(child)));

        var down = await stack.ShoalAsync("down");

        Assert.True(down.ExitCode == 0, down.ToString());
        await AssertAllGoneAsync(pids.Values.Concat(children));
    }

    [Fact]
    public async Task Down_AfterTheDaemonWasKilled_WithAGarbageStateFile_StopsEveryReplicaAndChild()
    {
        await using var stack = await TestStack.StartAsync(EscapingStack);
        var pids = stack.RecordedPids();
        var children = await ChildrenAsync(stack, pids);
        ProcessUtil.Signal(pids["shoal"], "-9");
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(pids["shoal"]), s_wait, "the daemon to die");
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, ".shoal", "state.json"), "");

        var down = await stack.ShoalAsync("down");

        Assert.True(down.ExitCode == 1, down.ToString());
        Assert.Contains("state.json is empty. The stack was stopped anyway: no daemon was running, 4 other process(es) stopped by the sweep", down.Stderr, StringComparison.Ordinal);
        await AssertAllGoneAsync(pids.Values.Concat(children));
    }

    /// <summary>The replicas' setsid children, checked to be outside their parent's process group (else the test proves nothing).</summary>
    private static async Task<List<int>> ChildrenAsync(TestStack stack, IReadOnlyDictionary<string, int> pids)
    {
        var data = Path.Combine(stack.Directory, ".shoal", "data", "worker");
        var files = new[] { Path.Combine(data, "child-1.pid"), Path.Combine(data, "child-2.pid") };
        await Poll.UntilAsync(() => files.All(f => File.Exists(f) && File.ReadAllText(f).Trim().Length > 0), s_wait, "the replicas to start their children");
        var children = files.Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)).ToList();
        foreach (var child in children)
        {
            Assert.True(ProcessUtil.IsAlive(child), $"child {child} runs");
            Assert.DoesNotContain(ProcessGroupOf(child), pids.Values);
        }

        return children;
    }

    private static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }

    private static Task AssertAllGoneAsync(IEnumerable<int> pids)
    {
        var all = pids.ToList();
        return Poll.UntilAsync(() => all.All(pid => !ProcessUtil.IsAlive(pid)), TimeSpan.FromSeconds(5),
            $"every process to be gone; alive: {string.Join(", ", all.Where(ProcessUtil.IsAlive))}");
    }
}
