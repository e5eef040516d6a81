using Polly;
using Shoal.Resilience;
using Shoal.Testing;

namespace Shoal.Core.Tests.Resilience;

/// <summary>The retry helper on a fake clock: its pauses, its limit, and cancellation ending it.</summary>
public sealed class RetryTests
{
    private static readonly TimeSpan s_real = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Create_RetriesAFailedResult_AfterEachPause_OnTheInjectedClock()
    {
        var time = new TimerCountingTimeProvider();
        var calls = 0;
        var retries = new List<int>();
        var pipeline = Retry.Create<string?>(new RetrySchedule(5, TimeSpan.FromMilliseconds(100), DelayBackoffType.Linear), o => o.Result is null, time, (_, n) => retries.Add(n));

        var run = pipeline.ExecuteAsync(_ => ValueTask.FromResult(Interlocked.Increment(ref calls) < 3 ? null : "ok")).AsTask();

        await time.WaitForTimersAsync(1, "the first pause");
        Assert.Equal(1, Volatile.Read(ref calls));
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, Volatile.Read(ref calls));
        time.Advance(TimeSpan.FromMilliseconds(1));
        await time.WaitForTimersAsync(2, "the second pause");
        Assert.Equal(2, Volatile.Read(ref calls));

        // Linear: the second pause is twice the first.
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(2, Volatile.Read(ref calls));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("ok", await run.WaitAsync(s_real));
        Assert.Equal(3, calls);
        Assert.Equal([1, 2], retries);
    }

    [Fact]
    public async Task Create_GivesUpAfterMaxRetries_WithTheLastOutcome()
    {
        var time = new TimerCountingTimeProvider();
        var calls = 0;
        var pipeline = Retry.Create<DaemonLockStandIn?>(new RetrySchedule(2, TimeSpan.FromMilliseconds(20)), o => o.Result is null, time);

        var run = pipeline.ExecuteAsync(_ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult<DaemonLockStandIn?>(null);
        }).AsTask();
        for (var i = 0; i < 2; i++)
        {
            await time.WaitForTimersAsync(i + 1, $"pause {i + 1}");
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Null(await run.WaitAsync(s_real));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Create_Exceptions_RetriesOnlyWhatThePredicateAccepts_AndExponentialPausesStopAtTheMax()
    {
        var time = new TimerCountingTimeProvider();
        var calls = 0;
        var pipeline = Retry.Create(RetrySchedule.Forever(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)), ex => ex is IOException, time);

        var run = pipeline.ExecuteAsync(_ => Interlocked.Increment(ref calls) switch
        {
            <= 3 => throw new IOException("dropped"),
            _ => throw new InvalidOperationException("refused"),
        }).AsTask();

        // Pauses of 100, 200, then 300 (400 capped at the max).
        foreach (var (pause, after) in new[] { (100, 2), (200, 3), (300, 4) })
        {
            await time.WaitForTimersAsync(after - 1, $"pause {after - 1}");
            time.Advance(TimeSpan.FromMilliseconds(pause - 1));
            Assert.Equal(after - 1, Volatile.Read(ref calls));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(s_real));
    }

    [Fact]
    public async Task Create_CancelledDuringAPause_EndsWithCancellation_NotAnotherTry()
    {
        var time = new TimerCountingTimeProvider();
        var calls = 0;
        using var stop = new CancellationTokenSource();
        var pipeline = Retry.Create(new RetrySchedule(int.MaxValue, TimeSpan.FromSeconds(1)), _ => true, time);

        var run = pipeline.ExecuteAsync(_ =>
        {
            Interlocked.Increment(ref calls);
            throw new IOException("down");
        }, stop.Token).AsTask();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_real));
        Assert.Equal(1, calls);
    }

    private sealed record DaemonLockStandIn;
}
