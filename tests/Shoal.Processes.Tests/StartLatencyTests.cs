using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Shoal.Processes.Tests;

/// <summary>Measures cold start and thaw latency per runtime (printed; run with a detailed console logger to read them) with generous bounds.</summary>
[Collection(RealRuntimes.Collection)]
[Trait("Category", "Measurement")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StartLatencyTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-latency-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ColdStartAndThaw_PerRuntime()
    {
        var script = Path.Combine(_directory, "hello.sh");
        await File.WriteAllTextAsync(script, "#!/bin/bash\necho hello\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        var host = new HostProcessRuntime(TimeProvider.System);
        var runtimes = new (string Name, IProcessRuntime Runtime, ResourceLimits Limits)[]
        {
            ("process", host, ResourceLimits.None),
            ("process+cgroup", new CgroupProcessRuntime(host, CgroupDrivers.Detect()), ResourceLimits.None with { MemoryBytes = 128L << 20 }),
            ("sandbox", SandboxProcessRuntime.Create(TimeProvider.System), ResourceLimits.None with { MemoryBytes = 128L << 20 }),
            ("oci", OciProcessRuntime.Create(TimeProvider.System, null, Path.Combine(_directory, "oci")), ResourceLimits.None with { MemoryBytes = 128L << 20 }),
        };

        foreach (var (name, runtime, limits) in runtimes)
        {
            var trueMs = await MedianStartAsync(runtime, "/bin/true", [], limits);
            var scriptMs = await MedianStartAsync(runtime, script, [], limits);
            var thawMs = limits.MemoryBytes is null ? double.NaN : await MedianThawAsync(runtime, limits);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-16} /bin/true {trueMs,7:0.00} ms   bash script {scriptMs,7:0.00} ms   freeze→thaw→first progress {thawMs,6:0.00} ms"));
            Assert.InRange(trueMs, 0, 2000);
            Assert.InRange(scriptMs, 0, 2000);
        }
    }

    private async Task<double> MedianStartAsync(IProcessRuntime runtime, string program, string[] arguments, ResourceLimits limits)
    {
        var times = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var spec = Spec(program, arguments, limits);
            var watch = Stopwatch.StartNew();
            var handle = await runtime.StartAsync(spec, CancellationToken.None);
            var exit = await handle.Exited.WaitAsync(TimeSpan.FromSeconds(10));
            times.Add(watch.Elapsed.TotalMilliseconds);
            await handle.DisposeAsync();
            Assert.Equal(0, exit);
        }

        return Median(times);
    }

    private async Task<double> MedianThawAsync(IProcessRuntime runtime, ResourceLimits limits)
    {
        var counter = Path.Combine(_directory, "counter");
        var spec = Spec("/bin/sh", ["-c", $"i=0; while :; do i=$((i+1)); echo $i > {counter}.new; mv {counter}.new {counter}; done"], limits);
        var handle = await runtime.StartAsync(spec, CancellationToken.None);
        try
        {
            await Shoal.Testing.Poll.UntilAsync(() => Read(counter) > 5, TimeSpan.FromSeconds(10), "the counter to count");
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                handle.Pause();
                var frozen = Read(counter);
                var watch = Stopwatch.StartNew();
                handle.Resume();
                Assert.True(SpinWait.SpinUntil(() => Read(counter) > frozen, TimeSpan.FromSeconds(5)));
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            return Median(times);
        }
        finally
        {
            await handle.StopAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
            await handle.DisposeAsync();
        }
    }

    private ProcessSpec Spec(string program, string[] arguments, ResourceLimits limits) => new()
    {
        Name = "lat-" + Guid.NewGuid().ToString("N")[..8],
        FileName = program,
        Arguments = arguments,
        WorkingDirectory = _directory,
        LogFile = Path.Combine(_directory, "latency.log"),
        Limits = limits,
    };

    private static long Read(string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return (values[values.Count / 2] + values[(values.Count - 1) / 2]) / 2;
    }
}
