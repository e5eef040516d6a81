using Shoal.Bench.Engine;

namespace Shoal.Bench.Tests.Engine;

public sealed class OpenLoopScheduleTests
{
    [Fact]
    public void OffsetSeconds_ConstantRate_IsEvenlySpaced()
    {
        var schedule = new OpenLoopSchedule(200, 200, 5);

        Assert.Equal(0, schedule.OffsetSeconds(0));
        Assert.Equal(0.005, schedule.OffsetSeconds(1), 9);
        Assert.Equal(5, schedule.OffsetSeconds(1000), 9);
    }

    [Fact]
    public void OffsetSeconds_Ramp_SendsTheAreaUnderTheRateLine()
    {
        // 100 → 300 req/s over 10 s: 2000 requests, the first half of the time carrying 750 of them.
        var schedule = new OpenLoopSchedule(100, 300, 10);

        Assert.Equal(10, schedule.OffsetSeconds(2000), 6);
        Assert.Equal(5, schedule.OffsetSeconds(750), 6);
        Assert.True(schedule.OffsetSeconds(1) > schedule.OffsetSeconds(1999) - schedule.OffsetSeconds(1998));
    }

    [Theory]
    [InlineData(20, 20, 2, 40)]
    [InlineData(200, 200, 5, 1000)]
    [InlineData(3, 3, 1.5, 5)]
    [InlineData(100, 300, 10, 2000)]
    public void DueBefore_TheDuration_CountsEveryOffsetBelowIt(double rate, double rateTo, double seconds, long expected)
    {
        var schedule = new OpenLoopSchedule(rate, rateTo, seconds);

        Assert.Equal(expected, schedule.DueBefore(seconds));
        Assert.True(schedule.OffsetSeconds(expected - 1) < seconds);
        Assert.True(schedule.OffsetSeconds(expected) >= seconds - 1e-9);
    }
}
