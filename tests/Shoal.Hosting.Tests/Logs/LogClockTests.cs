using Microsoft.Extensions.Time.Testing;
using Shoal.Hosting.Logs;

namespace Shoal.Hosting.Tests.Logs;

public sealed class LogClockTests : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-logclock-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
    private string Log => Path.Combine(_state, "logs", "web-1.log");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_state, "logs"));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_state, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Tick_LinesGetTheTimeOfTheFirstMarkAfterThem()
    {
        await using var clock = LogClock.Create(_state, _time);
        await File.WriteAllTextAsync(Log, "one\n");
        clock.Tick();
        _time.Advance(TimeSpan.FromSeconds(5));
        await File.AppendAllTextAsync(Log, "two\nthree\n");
        clock.Tick();
        _time.Advance(TimeSpan.FromSeconds(5));
        clock.Tick();

        var times = LogTimes.Load(Log);

        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(10), times.At(4));
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(5), times.At(8));
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(5), times.At(14));
        Assert.Equal(2, File.ReadAllLines(LogTimes.PathFor(Log)).Length);
    }

    [Fact]
    public async Task Tick_TruncatedLog_StartsItsMarksOver()
    {
        await using var clock = LogClock.Create(_state, _time);
        await File.WriteAllTextAsync(Log, "a long first line\n");
        clock.Tick();
        await File.WriteAllTextAsync(Log, "b\n");
        _time.Advance(TimeSpan.FromSeconds(3));
        clock.Tick();

        Assert.Equal(["2 " + _time.GetUtcNow().ToUnixTimeMilliseconds()], File.ReadAllLines(LogTimes.PathFor(Log)));
    }

    [Fact]
    public async Task Tick_NewFileWithMarksOfAnOlderOne_StartsOver()
    {
        await File.WriteAllTextAsync(LogTimes.PathFor(Log), "5000 1\n");
        await File.WriteAllTextAsync(Log, "fresh\n");
        await using var clock = LogClock.Create(_state, _time);

        clock.Tick();

        Assert.Equal(_time.GetUtcNow(), LogTimes.Load(Log).At(6));
    }

    [Fact]
    public void At_PastTheLastMark_FileTime()
    {
        File.WriteAllText(Log, "unmarked\n");

        var times = LogTimes.Load(Log);

        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(Log), TimeSpan.Zero), times.At(9));
    }
}
