using Microsoft.Extensions.Time.Testing;
using Shoal.Utilities;

namespace Shoal.Delivery.Tests.Fakes;

/// <summary>Fake time that also tells when a timer is set, so a test advances only once the code under test waits.</summary>
internal sealed class TestTime : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TimeSpan, int> _created = [];
    private readonly Dictionary<TimeSpan, int> _taken = [];
    private readonly ChangeSignal _timers = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _created[dueTime] = _created.GetValueOrDefault(dueTime) + 1;
        }

        _timers.Notify();
        return timer;
    }

    /// <summary>Waits until a timer of <paramref name="dueTime"/> is set that no earlier call took.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        await _timers.WaitUntilAsync(
            () =>
            {
                lock (_lock)
                {
                    if (_created.GetValueOrDefault(dueTime) <= _taken.GetValueOrDefault(dueTime))
                    {
                        return false;
                    }

                    _taken[dueTime] = _taken.GetValueOrDefault(dueTime) + 1;
                    return true;
                }
            },
            CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits for a fresh timer of <paramref name="dueTime"/>, then lets it run out.</summary>
    public async Task AdvanceAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Advance(dueTime);
    }
}
