using System.Diagnostics;
using Shoal.Testing;

namespace Shoal.Processes.Tests;

/// <summary>Limits enforced by the kernel, whatever the runtime: memory (OOM kill), CPU quota, pids, the freezer.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class RuntimeLimitsTests : RuntimeTestBase
{
    private const long Megabytes64 = 64L * 1024 * 1024;

    [Fact]
    public async Task MemoryHog_Under64M_IsOomKilled()
    {
        // tail keeps everything since the last newline, and /dev/zero has none: it grows until the limit stops it.
        var handle = await StartAsync(Shell("exec tail /dev/zero", ResourceLimits.None with { MemoryBytes = Megabytes64 }));

        var exit = await handle.Exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(137, exit);
        Assert.True(handle.OomKilled);
        Assert.True(handle.ReadUsage()!.OomKills > 0);
    }

    [Fact]
    public async Task Stopped_IsNotOomKilled()
    {
        var handle = await StartAsync(Shell("exec sleep 60", ResourceLimits.None with { MemoryBytes = Megabytes64 }));
        await Poll.UntilAsync(() => handle.ReadUsage()!.Processes > 0, TimeSpan.FromSeconds(10), "the sleeper to start");

        handle.Signal(PosixSignals.Kill);
        await handle.Exited.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(handle.OomKilled);
    }

    [Fact]
    public async Task BusyLoop_WithAQuarterCpu_GetsAQuarter()
    {
        var handle = await StartAsync(Shell("while :; do :; done", ResourceLimits.None with { CpuQuota = 0.25 }));

        var share = await CpuShareAsync(handle, TimeSpan.FromSeconds(4));

        Assert.InRange(share, 0.20, 0.30);
    }

    [Fact]
    public async Task ForkBomb_StopsAtThePidsLimit_AndEverythingIsKilledAfterwards()
    {
        // Bounded (300 sleepers) so that a broken limit cannot take the machine down; far past the limit of 16.
        var spec = Shell("i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); done; wait", ResourceLimits.None with { MaxProcesses = 16 });
        var handle = await StartAsync(spec);
        var most = 0;
        var seen = new HashSet<int>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            most = Math.Max(most, handle.ReadUsage()!.Processes);
            foreach (var path in handle.Cgroups)
            {
                foreach (var line in ReadLines(Path.Combine(path, "cgroup.procs")))
                {
                    seen.Add(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            await Task.Yield();
        }

        Assert.InRange(most, 12, 16);
        Assert.Contains("fork", await File.ReadAllTextAsync(spec.LogFile), StringComparison.OrdinalIgnoreCase);

        await handle.StopAsync(TimeSpan.FromSeconds(2), CancellationToken.None);

        await Poll.UntilAsync(() => seen.All(pid => !ProcessUtil.IsAlive(pid)), TimeSpan.FromSeconds(5), "every sleeper to be gone");
        Assert.All(handle.Cgroups, path => Assert.False(System.IO.Directory.Exists(path)));
    }

    [Fact]
    public async Task Pause_StopsTheCounter_ResumeRestartsIt()
    {
        var counter = Path.Combine(Directory, "counter");
        var handle = await StartAsync(Shell($"i=0; while :; do i=$((i+1)); echo $i > {counter}.new; mv {counter}.new {counter}; done", ResourceLimits.None with { MemoryBytes = 256L * 1024 * 1024 }));
        await Poll.UntilAsync(() => ReadCounter(counter) > 10, TimeSpan.FromSeconds(10), "the counter to count");

        handle.Pause();
        var frozen = ReadCounter(counter);
        var watch = Stopwatch.StartNew();
        await Poll.UntilAsync(() => watch.Elapsed > TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), "half a second frozen");
        Assert.Equal(frozen, ReadCounter(counter));

        watch.Restart();
        handle.Resume();
        await Poll.UntilAsync(() => ReadCounter(counter) > frozen, TimeSpan.FromSeconds(5), "the counter to count again");
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    private static string[] ReadLines(string file)
    {
        try
        {
            return File.ReadAllLines(file);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
