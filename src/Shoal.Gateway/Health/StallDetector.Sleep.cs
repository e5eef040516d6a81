using Shoal.Gateway.Model;

namespace Shoal.Gateway.Health;

/// <summary>
/// The detector's sleep. A look at instances that have nothing in flight finds nothing, so after a second with no request
/// in flight, no answer and no request left unanswered the 100 ms tick stops: the detector then wakes only when the
/// latency windows are due to turn over (every 10 s, until both are empty) and when a request starts
/// (<see cref="RequestActivity"/>), which re-arms the tick. A request that stalls after a quiet spell is therefore
/// looked at 100 ms after it started, as it would have been within 100 ms by the running tick: the time to detect a
/// stall does not change.
/// </summary>
internal sealed partial class StallDetector
{
    private readonly Lock _timerLock = new();

    // Under the scan lock: whether the detector sleeps, and since when (a timestamp).
    private bool _asleep;
    private long _asleepSince;
    private long _scans;

    /// <summary>True while the detector sleeps; internal for tests.</summary>
    internal bool IsAsleep
    {
        get
        {
            lock (_scanLock)
            {
                return _asleep;
            }
        }
    }

    /// <summary>How many looks the detector has taken; internal for tests.</summary>
    internal long Scans => Interlocked.Read(ref _scans);

    /// <summary>
    /// The tick this look is: the next one, or after a sleep the one it would have been had the ticks come (rounded: a
    /// timer never fires exactly on time), so the latency windows turn over and the slow checks fall on schedule.
    /// </summary>
    private long NextTick()
    {
        Interlocked.Increment(ref _scans);
        if (!_asleep)
        {
            return ++_ticks;
        }

        var slept = time.GetElapsedTime(_asleepSince);
        _ticks += Math.Max(1, (slept.Ticks + (Tick.Ticks / 2)) / Tick.Ticks);
        return _ticks;
    }

    /// <summary>True when the look at <paramref name="tick"/> (the last was <paramref name="previous"/>) compares the instances' latencies of the last second.</summary>
    private static bool IsSlowCheck(long previous, long tick) => tick / TicksPerSlowCheck != previous / TicksPerSlowCheck;

    /// <summary>After a look (under the scan lock): goes to sleep when <paramref name="quiet"/>, else ticks every 100 ms.</summary>
    private void Schedule(bool quiet, long tick)
    {
        if (quiet && Sleep(tick))
        {
            return;
        }

        if (_asleep)
        {
            _asleep = false;
            state.Activity.Wake();
            lock (_timerLock)
            {
                _timer?.Change(Tick, Tick);
            }
        }
    }

    /// <summary>Goes to sleep until the next turnover of the latency windows, or until a request starts; false when one already has.</summary>
    private bool Sleep(long tick)
    {
        var clusters = state.Clusters;
        var due = clusters.All(c => c.Latency.IsEmpty) ? Timeout.InfiniteTimeSpan : Tick * (TicksPerRotation - (tick % TicksPerRotation));
        lock (_timerLock)
        {
            _timer?.Change(due, Timeout.InfiniteTimeSpan);
        }

        _asleep = true;
        _asleepSince = time.GetTimestamp();

        // Marked asleep first, then one more look: a request that started meanwhile either saw the mark (and re-armed the
        // tick) or is counted here.
        state.Activity.Sleep();
        foreach (var cluster in clusters)
        {
            foreach (var destination in cluster.AllDestinations)
            {
                if (destination.ConcurrentRequestCount > 0 || destination.Progress.HasUnanswered)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>A request started while the detector slept (on the request's thread): the tick runs again.</summary>
    private void WakeUp()
    {
        lock (_timerLock)
        {
            _timer?.Change(Tick, Tick);
        }
    }
}
