using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Tests.Model;

public sealed class InstanceProgressTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InstanceProgress _progress = new();

    private TimeSpan Owed(int inFlight) => _progress.OwedFor(_time, _time.GetTimestamp(), inFlight);

    [Fact]
    public void OwedFor_Idle_IsZero()
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, Owed(0));
    }

    [Fact]
    public void OwedFor_BusyWithoutAnswers_GrowsFromWhenItWasFirstSeenBusy()
    {
        Assert.Equal(TimeSpan.Zero, Owed(2));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Owed(2));
    }

    [Fact]
    public void OwedFor_BusyButAnswering_CountsFromTheLastAnswer()
    {
        Owed(3);
        _time.Advance(TimeSpan.FromSeconds(1));
        _progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(5));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(TimeSpan.FromMilliseconds(50), Owed(3));
    }

    [Fact]
    public void OwedFor_UnansweredRequestThenIdle_StillOwedUntilAnAnswer()
    {
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _progress.OnUnanswered(started);
        _time.Advance(TimeSpan.FromMilliseconds(400));

        Assert.Equal(TimeSpan.FromMilliseconds(500), Owed(0));
        _progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, Owed(0));
    }

    [Fact]
    public void Reset_ForgetsTheDebt()
    {
        Owed(1);
        _time.Advance(TimeSpan.FromSeconds(5));
        _progress.Reset(_time.GetTimestamp());
        Assert.Equal(TimeSpan.Zero, Owed(1));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(10), Owed(1));
    }

    [Fact]
    public void TakeMeanLatency_MeanOfTheWindow_ThenEmpty()
    {
        _progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(10));
        _progress.OnAnswer(_time, _time.GetTimestamp(), TimeSpan.FromMilliseconds(30));

        Assert.Equal((TimeSpan.FromMilliseconds(20), 2L), _progress.TakeMeanLatency());
        Assert.Equal((TimeSpan.Zero, 0L), _progress.TakeMeanLatency());
    }
}
