using System.Diagnostics;
using System.Runtime.Versioning;
using Shoal.Testing;
using Xunit.Abstractions;

namespace Shoal.Processes.Docker.Tests;

/// <summary>The runtime against a real engine: a private dockerd with a busybox image (see <see cref="DockerEngine"/>).</summary>
[Collection(DockerEngineCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class DockerProcessRuntimeTests(DockerEngineFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-docker-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string LogFile => Path.Combine(_directory, "out.log");

    private ProcessSpec Spec(string script, ResourceLimits? limits = null) => new()
    {
        Name = "t",
        InstanceId = "t-" + Guid.NewGuid().ToString("N")[..8],
        FileName = "sh",
        Arguments = ["-c", script],
        WorkingDirectory = _directory,
        LogFile = LogFile,
        Limits = limits ?? ResourceLimits.None,
        Isolation = new IsolationOptions { Image = DockerEngine.BusyboxImage },
    };

    private async Task<IProcessHandle> StartAsync(ProcessSpec spec) => await fixture.Runtime.StartAsync(spec, CancellationToken.None);

    [Fact(Timeout = 60_000)]
    public async Task Start_Command_OutputReachesThePrivateLogFileAndTheExitCodeIsReported()
    {
        await using var handle = await StartAsync(Spec("echo out; echo err >&2; pwd; exit 3"));

        var code = await handle.Exited.WaitAsync(ExitTimeout);

        Assert.Equal(3, code);
        // stdout and stderr are two pipes: each keeps its order, not their interleaving.
        var lines = File.ReadAllLines(LogFile);
        Assert.Equal(["out", _directory], lines.Where(l => l != "err"));
        Assert.Single(lines, "err");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogFile));
        Assert.False(handle.OomKilled);
        Assert.Empty(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}={fixture.Scope.Key}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_Running_PidIsTheContainersInitOnTheHostAndItsCgroupsAreFound()
    {
        await using var handle = await StartAsync(Spec("exec sleep 60"));
        try
        {
            Assert.True(handle.Pid > 0);
            Assert.Equal(ProcessIdentity.StartTimeOf(handle.Pid), handle.StartTime);
            Assert.Contains("sleep", await File.ReadAllTextAsync($"/proc/{handle.Pid}/cmdline"), StringComparison.Ordinal);
            Assert.Contains(handle.Cgroups, c => c.StartsWith("/sys/fs/cgroup/memory/", StringComparison.Ordinal));
            Assert.Single(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}={fixture.Scope.Key}"));
        }
        finally
        {
            await handle.StopAsync(TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(ExitTimeout);
        }

        Assert.False(ProcessIdentity.IsAlive(handle.Pid, handle.StartTime));
        Assert.Empty(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}={fixture.Scope.Key}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_MemoryHogOverItsLimit_IsOomKilled()
    {
        await using var handle = await StartAsync(Spec("exec dd if=/dev/zero of=/dev/null bs=200M count=1", new ResourceLimits(64L << 20, null, null)));

        var code = await handle.Exited.WaitAsync(ExitTimeout);

        Assert.Equal(137, code);
        Assert.True(handle.OomKilled, $"exit {code}, log: {File.ReadAllText(LogFile)}");
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadUsage_QuarterCpuBusyLoop_UsesAQuarterOfACpu()
    {
        await using var handle = await StartAsync(Spec("while :; do :; done", new ResourceLimits(null, 0.25, null)));
        try
        {
            // Let the quota settle past the first period.
            await Poll.UntilAsync(() => handle.ReadUsage()?.Cpu > TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "the loop to use CPU");
            var before = handle.ReadUsage()!;
            var start = Stopwatch.GetTimestamp();
            await Poll.UntilAsync(() => Stopwatch.GetElapsedTime(start) >= TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10), "4 s to pass");
            var after = handle.ReadUsage()!;
            var elapsed = Stopwatch.GetElapsedTime(start);

            var cpus = (after.Cpu - before.Cpu) / elapsed;
            output.WriteLine($"CPU {cpus:0.000} over {elapsed.TotalSeconds:0.00} s; memory {after.MemoryBytes} B; processes {after.Processes}");
            Assert.InRange(cpus, 0.20, 0.30);
            Assert.Equal(1, after.Processes);
            Assert.InRange(after.MemoryBytes, 1, 64L << 20);
            Assert.Equal(0, after.OomKills);
        }
        finally
        {
            await handle.StopAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(ExitTimeout);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_ForkBombUnderAPidsLimit_IsStoppedAtTheLimit()
    {
        await using var handle = await StartAsync(Spec(
            "(i=0; while [ $i -lt 200 ]; do sleep 60 & i=$((i+1)); done; echo forked $i); echo bomb-ended; exec sleep 60",
            new ResourceLimits(null, null, 16)));
        try
        {
            // busybox sh gives up at the first fork the kernel refuses; the bomb's subshell ends, its sleeps stay.
            await Poll.UntilAsync(() => File.ReadAllText(LogFile).Contains("bomb-ended", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the bomb to end");

            var usage = handle.ReadUsage();
            Assert.NotNull(usage);
            Assert.InRange(usage.Processes, 2, 16);
            var log = File.ReadAllText(LogFile);
            Assert.Contains("can't fork", log, StringComparison.Ordinal);
            Assert.DoesNotContain("forked", log, StringComparison.Ordinal);
        }
        finally
        {
            await handle.StopAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(ExitTimeout);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Pause_FreezesTheContainer_ResumeThawsIt()
    {
        await using var handle = await StartAsync(Spec("while :; do :; done", new ResourceLimits(null, 0.5, null)));
        try
        {
            await Poll.UntilAsync(() => handle.ReadUsage()?.Cpu > TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), "the loop to use CPU");

            handle.Pause();
            var frozen = handle.ReadUsage()!.Cpu;
            var start = Stopwatch.GetTimestamp();
            await Poll.UntilAsync(() => Stopwatch.GetElapsedTime(start) >= TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), "1 s to pass");
            Assert.InRange(handle.ReadUsage()!.Cpu - frozen, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
            Assert.Contains("FROZEN", File.ReadAllText(handle.Cgroups.Single(c => c.Contains("/freezer/", StringComparison.Ordinal)) + "/freezer.state"), StringComparison.Ordinal);

            handle.Resume();
            await Poll.UntilAsync(() => handle.ReadUsage()!.Cpu - frozen > TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "the thawed loop to use CPU again");
        }
        finally
        {
            await handle.StopAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(ExitTimeout);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task StopAsync_PausedContainerThatIgnoresSigterm_IsKilledAfterTheGraceAndRemoved()
    {
        // sh as pid 1 of its namespace ignores SIGTERM: only the kill after the grace ends it.
        await using var handle = await StartAsync(Spec("trap '' TERM; while :; do sleep 1; done"));
        handle.Pause();
        var start = Stopwatch.GetTimestamp();

        await handle.StopAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None).WaitAsync(ExitTimeout);

        Assert.Equal(137, await handle.Exited);
        Assert.InRange(Stopwatch.GetElapsedTime(start), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        Assert.Empty(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}={fixture.Scope.Key}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Signal_ReachesTheContainersProcess()
    {
        await using var handle = await StartAsync(Spec("trap 'echo got-usr1; exit 7' USR1; while :; do sleep 0.1; done"));
        await Poll.UntilAsync(() => handle.ReadUsage()?.Processes >= 1, TimeSpan.FromSeconds(10), "the trap to be set");

        handle.Signal(10);

        Assert.Equal(7, await handle.Exited.WaitAsync(ExitTimeout));
        Assert.Contains("got-usr1", File.ReadAllText(LogFile), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_HostNetwork_ServerOnLoopbackAnswersTheHost()
    {
        var port = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(_directory, "index.html"), "from the container");
        await using var handle = await StartAsync(Spec($"exec httpd -f -p 127.0.0.1:{port} -h {_directory}"));
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string? body = null;
            await Poll.UntilAsync(async () => (body = await client.GetStringAsync($"http://127.0.0.1:{port}/index.html")) is not null, TimeSpan.FromSeconds(15), "httpd to answer");

            Assert.Equal("from the container", body);
        }
        finally
        {
            await handle.StopAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(ExitTimeout);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_HostileCommand_CannotReadTheHostsShadowFile()
    {
        var shadow = File.ReadAllLines("/etc/shadow")[0];
        await using var handle = await StartAsync(Spec("cat /etc/shadow; cat /proc/1/root/etc/shadow; ls /; exit 0"));

        await handle.Exited.WaitAsync(ExitTimeout);

        var log = File.ReadAllText(LogFile);
        Assert.DoesNotContain(shadow, log, StringComparison.Ordinal);
        Assert.Contains("can't open '/etc/shadow': No such file or directory", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_ReadOnlyWorkingDirectoryAndAUser_AreEnforced()
    {
        // Writable by anyone on the host, so only the read-only bind can stop the unprivileged user.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_111_111);
        var spec = Spec("id -u; id -g; touch ./written && echo wrote") with
        {
            User = new ProcessUser("nobody", 65534, 65533),
            Isolation = new IsolationOptions { Image = DockerEngine.BusyboxImage, ReadOnlyWorkingDirectory = true },
        };
        await using var handle = await StartAsync(spec);

        Assert.NotEqual(0, await handle.Exited.WaitAsync(ExitTimeout));

        // stdout and stderr reach the log as two streams: each keeps its own order, not their order against each other.
        var log = File.ReadAllLines(LogFile);
        Assert.Equal(["65534", "65533"], log.Where(l => l.Length > 0 && l.All(char.IsAsciiDigit)));
        Assert.Contains(log, l => l.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.DoesNotContain("wrote", log);
        Assert.False(File.Exists(Path.Combine(_directory, "written")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_MissingImage_NamesTheImage()
    {
        var spec = Spec("true") with { Isolation = new IsolationOptions { Image = "shoal-test/absent:9" } };

        var ex = await Assert.ThrowsAsync<ProcessStartException>(() => fixture.Runtime.StartAsync(spec, CancellationToken.None).AsTask());

        Assert.StartsWith($"t: image 'shoal-test/absent:9' is not on the Docker engine at {fixture.Engine.Endpoint.OriginalString} and pulling it failed: ", ex.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_MissingProgram_FailsAndLeavesNoContainer()
    {
        var spec = Spec("true") with { FileName = "/no/such/program" };

        var ex = await Assert.ThrowsAsync<ProcessStartException>(() => fixture.Runtime.StartAsync(spec, CancellationToken.None).AsTask());

        Assert.Contains("/no/such/program", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}={fixture.Scope.Key}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task KillLeftover_ContainerOfAnEarlierRun_IsRemoved()
    {
        var handle = await StartAsync(Spec("exec sleep 60"));
        using var later = new DockerProcessRuntime(TimeProvider.System, fixture.Scope, fixture.Engine.Endpoint);

        later.KillLeftover(handle.Pid, handle.StartTime, handle.Cgroups);

        await handle.Exited.WaitAsync(ExitTimeout);
        Assert.False(ProcessIdentity.IsAlive(handle.Pid, handle.StartTime));
        Assert.Empty(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}={fixture.Scope.Key}"));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_NameTakenByAnExitedContainer_RemovesItOnlyWhenItIsThisScopes(bool ours)
    {
        var spec = Spec("echo fresh");
        var name = ContainerDefinition.NameOf(spec, fixture.Scope);
        var label = ours ? fixture.Scope.Key : "someone-else";
        using (var client = fixture.Engine.CreateClient())
        {
            var body = $$$"""{"Image":"{{{DockerEngine.BusyboxImage}}}","Cmd":["true"],"Labels":{"{{{ContainerDefinition.ScopeLabel}}}":"{{{label}}}"}}""";
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("containers/create?name=" + name, content);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        if (ours)
        {
            await using var handle = await StartAsync(spec);
            Assert.Equal(0, await handle.Exited.WaitAsync(ExitTimeout));
            Assert.Equal("fresh\n", File.ReadAllText(LogFile));
        }
        else
        {
            var ex = await Assert.ThrowsAsync<ProcessStartException>(() => StartAsync(spec));
            Assert.Contains("could not create the container", ex.Message, StringComparison.Ordinal);
            Assert.Single(await fixture.Engine.ContainersWithLabelAsync($"{ContainerDefinition.ScopeLabel}=someone-else"));
            using var client = fixture.Engine.CreateClient();
            (await client.DeleteAsync("containers/" + name + "?force=1")).EnsureSuccessStatusCode();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ReadUsage_EngineWhosePidsAreNotOurs_ComesFromTheStatsApiAndNoPidIsReported()
    {
        using var remote = new DockerProcessRuntime(TimeProvider.System, fixture.Scope, fixture.Engine.Endpoint, hostPids: false);
        await using var handle = await remote.StartAsync(Spec("while :; do :; done", new ResourceLimits(null, 0.5, null)), CancellationToken.None);
        try
        {
            Assert.Equal(0, handle.Pid);
            Assert.Empty(handle.Cgroups);
            await Poll.UntilAsync(() => handle.ReadUsage()?.Cpu > TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "the stats to show CPU");
            var usage = handle.ReadUsage()!;
            Assert.Equal(1, usage.Processes);
            Assert.InRange(usage.MemoryBytes, 1, 64L << 20);
        }
        finally
        {
            await handle.StopAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(ExitTimeout);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Start_TrueTwentyTimes_MedianStartToExitLatency()
    {
        var spec = Spec("true") with { FileName = "/bin/true", Arguments = [] };
        var times = new List<TimeSpan>();
        var starts = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await using var handle = await StartAsync(spec with { InstanceId = "true-" + i });
            starts.Add(Stopwatch.GetElapsedTime(start));
            Assert.Equal(0, await handle.Exited.WaitAsync(ExitTimeout));
            times.Add(Stopwatch.GetElapsedTime(start));
        }

        times.Sort();
        starts.Sort();
        var median = (times[9] + times[10]) / 2;
        output.WriteLine($"docker /bin/true start-to-exit (container removed): median {median.TotalMilliseconds:0.0} ms, min {times[0].TotalMilliseconds:0.0} ms, max {times[^1].TotalMilliseconds:0.0} ms");
        output.WriteLine($"docker /bin/true StartAsync alone: median {((starts[9] + starts[10]) / 2).TotalMilliseconds:0.0} ms");
        Assert.True(median < TimeSpan.FromSeconds(2), $"median {median}");
    }
}
