using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;

namespace Shoal.Functions.Tests.Agent;

public sealed class InvocationReportTests : IDisposable
{
    private readonly string _log = Path.Combine(Directory.CreateTempSubdirectory("shoal-report-").FullName, "fn.log");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_log)!, recursive: true);

    [Fact]
    public void Invocations_StartBeforeOutput_EndAndReportAfter_InitOnlyOnTheFirst()
    {
        using var report = new InvocationReport(_log, _time, memoryMb: 128, version: null);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        report.Handed("req-1");
        File.AppendAllText(_log, "handler output\n");
        _time.Advance(TimeSpan.FromMilliseconds(12.5));
        report.Ended("req-1", memoryBytes: 20 * 1024 * 1024 + 1);

        Assert.Equal(["START RequestId: req-1 Version: $LATEST", "handler output"], File.ReadAllLines(_log));

        report.Handed("req-2");
        _time.Advance(TimeSpan.FromMilliseconds(3));
        report.Ended("req-2", memoryBytes: 1024);
        report.Flush();

        var lines = File.ReadAllLines(_log);
        Assert.Equal(
            [
                "START RequestId: req-1 Version: $LATEST",
                "handler output",
                "END RequestId: req-1",
                "REPORT RequestId: req-1\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 21 MB\tInit Duration: 250.00 ms",
                "START RequestId: req-2 Version: $LATEST",
                "END RequestId: req-2",
                "REPORT RequestId: req-2\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 21 MB",
            ],
            lines);
    }

    [Fact]
    public void Flush_RuntimeLeftALineOpen_ReportStartsOnItsOwnLine()
    {
        using var report = new InvocationReport(_log, _time, memoryMb: 128, version: null);
        report.Handed("req-1");
        File.AppendAllText(_log, "  0  100%  progress\r");
        report.Ended("req-1", memoryBytes: null);

        _time.Advance(InvocationReport.FlushDelay);

        var lines = File.ReadAllLines(_log);
        Assert.Equal("END RequestId: req-1", lines[2]);
        Assert.StartsWith("REPORT RequestId: req-1\t", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Ended_NeverHanded_WritesNothing()
    {
        using var report = new InvocationReport(_log, _time, memoryMb: 128, version: "7");

        report.Ended("req-1", memoryBytes: null);
        report.Flush();

        Assert.False(File.Exists(_log) && File.ReadAllText(_log).Length > 0);
    }

    [Fact]
    public void Handed_Version_Named()
    {
        using var report = new InvocationReport(_log, _time, memoryMb: 64, version: "7");

        report.Handed("abc");

        Assert.Matches(new Regex("^START RequestId: abc Version: 7$"), File.ReadAllLines(_log)[0]);
    }
}
