using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Shoal.Testing;

/// <summary>A fake clock that counts the timers created on it, so a test advances time only once the code under test waits on it.</summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, int> _byDueTime = new();
    private int _timers;

    /// <summary>Timers created so far (each <c>Task.Delay</c> or timed cancellation on this clock makes one).</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        _byDueTime.AddOrUpdate(dueTime, 1, (_, n) => n + 1);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Timers created so far that were due after <paramref name="dueTime"/>.</summary>
    public int TimersCreatedFor(TimeSpan dueTime) => _byDueTime.TryGetValue(dueTime, out var n) ? n : 0;

    /// <summary>Waits (on the real clock) until <paramref name="count"/> timers exist (only those due after <paramref name="dueTime"/>, when given).</summary>
    public Task WaitForTimersAsync(int count, string what, TimeSpan? dueTime = null) =>
        Poll.UntilAsync(() => (dueTime is { } due ? TimersCreatedFor(due) : TimersCreated) >= count, TimeSpan.FromSeconds(10), what);
}
