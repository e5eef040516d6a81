using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Resilience;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    private readonly FakeTimeProvider _time = new();
    private int _changes;

    private CircuitBreaker Breaker(CircuitBreakerSettings settings) => new(settings, _time, _ => _changes++);

    [Fact]
    public void ConsecutiveFailures_OpenThenHalfOpenAfterTheBreak_OneProbeDecides()
    {
        var breaker = Breaker(new CircuitBreakerSettings { ConsecutiveFailures = 3, FailureRatio = 0, BreakDuration = TimeSpan.FromSeconds(5) });
        breaker.RecordFailure();
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Closed, breaker.State);

        breaker.RecordFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAdmit());

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(CircuitState.Open, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAdmit());
        Assert.False(breaker.TryAdmit());

        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAdmit());
        Assert.Equal(3, _changes);
    }

    [Fact]
    public void HalfOpen_FailedProbe_OpensAgainForAnotherBreak()
    {
        var breaker = Breaker(new CircuitBreakerSettings { ConsecutiveFailures = 1, FailureRatio = 0, BreakDuration = TimeSpan.FromSeconds(2) });
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(breaker.TryAdmit());

        breaker.RecordFailure();

        Assert.Equal(CircuitState.Open, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void SuccessesBetweenFailures_ResetTheConsecutiveCount()
    {
        var breaker = Breaker(new CircuitBreakerSettings { ConsecutiveFailures = 3, FailureRatio = 0 });
        for (var i = 0; i < 10; i++)
        {
            breaker.RecordFailure();
            breaker.RecordFailure();
            breaker.RecordSuccess();
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void FailureRatio_OpensOnlyOnceTheMinimumIsReached()
    {
        var breaker = Breaker(new CircuitBreakerSettings { ConsecutiveFailures = 0, FailureRatio = 0.5, MinimumRequests = 10, Window = TimeSpan.FromSeconds(10) });
        for (var i = 0; i < 4; i++)
        {
            breaker.RecordFailure();
            breaker.RecordSuccess();
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        breaker.RecordSuccess();
        breaker.RecordFailure();

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void FailureRatio_OldWindowIsForgotten()
    {
        var breaker = Breaker(new CircuitBreakerSettings { ConsecutiveFailures = 0, FailureRatio = 0.5, MinimumRequests = 4, Window = TimeSpan.FromSeconds(10) });
        breaker.RecordFailure();
        breaker.RecordFailure();
        breaker.RecordSuccess();

        _time.Advance(TimeSpan.FromSeconds(11));
        breaker.RecordSuccess();
        breaker.RecordSuccess();
        breaker.RecordSuccess();
        breaker.RecordFailure();

        Assert.Equal(CircuitState.Closed, breaker.State);
    }
}
