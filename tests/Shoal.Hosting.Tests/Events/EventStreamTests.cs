using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Shoal.Events;
using Shoal.Hosting.Events;
using Shoal.Testing;

namespace Shoal.Hosting.Tests.Events;

public sealed class EventStreamTests
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ReadAsync_ResumesAfterIdThenDeliversLiveEvents()
    {
        var bus = new PlatformEventBus(_time, capacity: 8);
        Publish(bus, PlatformEventTypes.InstanceStarted, PlatformEventTypes.InstanceHealthy, PlatformEventTypes.InstanceStopped);
        using var cts = new CancellationTokenSource();
        await using var reader = new EventStream(bus, null, _time, Heartbeat).ReadAsync(1, _ => Task.CompletedTask, cts.Token).GetAsyncEnumerator(cts.Token);

        var first = await NextAsync(reader);
        var second = await NextAsync(reader);
        var live = NextAsync(reader);
        Assert.False(live.IsCompleted);
        Publish(bus, PlatformEventTypes.InstanceRestarted);
        var third = await live;

        Assert.Equal(["2", "3", "4"], new[] { first, second, third }.Select(i => i.EventId));
        Assert.Equal([PlatformEventTypes.InstanceHealthy, PlatformEventTypes.InstanceStopped, PlatformEventTypes.InstanceRestarted], new[] { first, second, third }.Select(i => i.EventType));
        using var data = JsonDocument.Parse(third.Data);
        Assert.Equal("instance.restarted", data.RootElement.GetProperty("type").GetString());
        Assert.Equal("2026-12-01T06:00:00+00:00", data.RootElement.GetProperty("time").GetString());
        Assert.False(data.RootElement.TryGetProperty("function", out _));
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ReadAsync_LappedByPublishers_FirstSendsGapWithTheLostIds()
    {
        var bus = new PlatformEventBus(_time, capacity: 3);
        Publish(bus, Enumerable.Repeat(PlatformEventTypes.InstanceStarted, 10).ToArray());
        using var cts = new CancellationTokenSource();
        await using var reader = new EventStream(bus, null, _time, Heartbeat).ReadAsync(2, _ => Task.CompletedTask, cts.Token).GetAsyncEnumerator(cts.Token);

        var gap = await NextAsync(reader);
        var next = await NextAsync(reader);

        Assert.Equal(PlatformEventTypes.StreamGap, gap.EventType);
        Assert.Equal("7", gap.EventId);
        using var data = JsonDocument.Parse(gap.Data);
        Assert.Equal(3, data.RootElement.GetProperty("details").GetProperty("first_lost").GetInt64());
        Assert.Equal(7, data.RootElement.GetProperty("details").GetProperty("last_lost").GetInt64());
        Assert.Equal("8", next.EventId);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ReadAsync_SlowReaderLappedWhileReading_GetsGapAndPublishersNeverWait()
    {
        var bus = new PlatformEventBus(_time, capacity: 4);
        using var cts = new CancellationTokenSource();
        await using var reader = new EventStream(bus, null, _time, Heartbeat).ReadAsync(0, _ => Task.CompletedTask, cts.Token).GetAsyncEnumerator(cts.Token);
        Publish(bus, PlatformEventTypes.InstanceStarted);
        Assert.Equal("1", (await NextAsync(reader)).EventId);

        // The reader stalls (a slow client) while 100 events are published: publishing returns at once regardless.
        Publish(bus, Enumerable.Repeat(PlatformEventTypes.InstanceHealthy, 100).ToArray());
        var items = new List<SseItem<string>>();
        for (var i = 0; i < 5; i++)
        {
            items.Add(await NextAsync(reader));
        }

        Assert.Equal(PlatformEventTypes.StreamGap, items[0].EventType);
        Assert.Equal(["98", "99", "100", "101"], items.Skip(1).Select(i => i.EventId));
        Assert.Equal(101, bus.Last);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ReadAsync_TypesFilter_SkipsOthersButKeepsGap()
    {
        var bus = new PlatformEventBus(_time, capacity: 8);
        Publish(bus, PlatformEventTypes.InstanceStarted, PlatformEventTypes.RegistryRegistered, PlatformEventTypes.InstanceHealthy, PlatformEventTypes.FunctionColdStart);
        var (filter, error) = EventTypeFilter.Parse("registry.*,function.cold_start");
        Assert.Null(error);
        using var cts = new CancellationTokenSource();
        await using var reader = new EventStream(bus, filter, _time, Heartbeat).ReadAsync(0, _ => Task.CompletedTask, cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.Equal("2", (await NextAsync(reader)).EventId);
        Assert.Equal("4", (await NextAsync(reader)).EventId);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task ReadAsync_Quiet_HeartbeatsEveryIntervalOnTheInjectedClock()
    {
        var bus = new PlatformEventBus(_time, capacity: 8);
        var beats = 0;
        using var cts = new CancellationTokenSource();
        await using var reader = new EventStream(bus, null, _time, Heartbeat).ReadAsync(0, _ => { Interlocked.Increment(ref beats); return Task.CompletedTask; }, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = reader.MoveNextAsync().AsTask();

        _time.Advance(Heartbeat - TimeSpan.FromSeconds(1));
        Assert.Equal(0, Volatile.Read(ref beats));
        await AdvanceUntilAsync(() => Volatile.Read(ref beats) >= 1);
        await AdvanceUntilAsync(() => Volatile.Read(ref beats) >= 2);
        Assert.False(next.IsCompleted);

        Publish(bus, PlatformEventTypes.ConfigReloaded);
        Assert.True(await next.WaitAsync(Deadline));
        await cts.CancelAsync();
    }

    [Theory]
    [InlineData("instance.bogus")]
    [InlineData("nothing.*")]
    [InlineData(",")]
    public void Parse_UnknownType_ErrorNamesIt(string text)
    {
        var (filter, error) = EventTypeFilter.Parse(text);

        Assert.Null(filter);
        Assert.NotNull(error);
        Assert.Contains(text == "," ? "1 to 32" : text, error, StringComparison.Ordinal);
    }

    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        // The stream arms its timer asynchronously after the last wake-up: advance in steps until the beat lands.
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return condition();
        }, Deadline, "a heartbeat");
    }

    private static void Publish(PlatformEventBus bus, params string[] types)
    {
        foreach (var type in types)
        {
            bus.Publish(new PlatformEvent { Type = type, Service = "web", Instance = "web-1" });
        }
    }

    private static async Task<SseItem<string>> NextAsync(IAsyncEnumerator<SseItem<string>> reader)
    {
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Deadline));
        return reader.Current;
    }
}
