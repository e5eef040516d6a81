using Microsoft.Extensions.Time.Testing;
using Shoal.Events;
using Shoal.Hosting.Events;

namespace Shoal.Hosting.Tests.Events;

public sealed class PlatformEventBusTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Publish_AssignsSequentialIdsAndStampsTime()
    {
        var bus = new PlatformEventBus(_time, capacity: 4);
        bus.Publish(new PlatformEvent { Type = PlatformEventTypes.InstanceStarted, Instance = "web-1" });
        _time.Advance(TimeSpan.FromSeconds(3));
        bus.Publish(new PlatformEvent { Type = PlatformEventTypes.InstanceHealthy, Instance = "web-1" });

        var batch = bus.Read(0, 10);

        Assert.Null(batch.Gap);
        Assert.Equal([1L, 2L], batch.Events.Select(e => e.Id));
        Assert.Equal(_time.GetUtcNow(), batch.Events[1].Event.Time);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(3), batch.Events[0].Event.Time);
        Assert.Equal(2, batch.Cursor);
    }

    [Fact]
    public void Read_AfterId_ReturnsOnlyNewer()
    {
        var bus = Filled(capacity: 10, count: 5);

        var batch = bus.Read(3, 10);

        Assert.Equal([4L, 5L], batch.Events.Select(e => e.Id));
        Assert.Null(batch.Gap);
    }

    [Fact]
    public void Read_OlderThanRing_ReportsGapThenOldestKept()
    {
        var bus = Filled(capacity: 4, count: 10);

        var batch = bus.Read(2, 10);

        Assert.Equal(new EventGap(3, 6, Reset: false), batch.Gap);
        Assert.Equal([7L, 8L, 9L, 10L], batch.Events.Select(e => e.Id));
    }

    [Fact]
    public void Read_IdFromEarlierDaemon_ReportsResetAndReplaysRing()
    {
        var bus = Filled(capacity: 4, count: 2);

        var batch = bus.Read(500, 10);

        Assert.True(batch.Gap!.Reset);
        Assert.Equal([1L, 2L], batch.Events.Select(e => e.Id));
    }

    [Fact]
    public void Read_Max_LimitsBatchAndCursorContinues()
    {
        var bus = Filled(capacity: 10, count: 7);

        var first = bus.Read(0, 3);
        var second = bus.Read(first.Cursor, 3);

        Assert.Equal([1L, 2L, 3L], first.Events.Select(e => e.Id));
        Assert.Equal([4L, 5L, 6L], second.Events.Select(e => e.Id));
    }

    [Fact]
    public void Read_CaughtUp_EmptyWithCursorAtLast()
    {
        var bus = Filled(capacity: 4, count: 3);

        var batch = bus.Read(3, 10);

        Assert.Empty(batch.Events);
        Assert.Null(batch.Gap);
        Assert.Equal(3, batch.Cursor);
    }

    private PlatformEventBus Filled(int capacity, int count)
    {
        var bus = new PlatformEventBus(_time, capacity);
        for (var i = 0; i < count; i++)
        {
            bus.Publish(new PlatformEvent { Type = PlatformEventTypes.InstanceStarted, Instance = $"web-{i}" });
        }

        return bus;
    }
}
