namespace Shoal.Gateway.Model;

/// <summary>
/// Whether an instance is making progress: when it last answered (response headers), since when it has had requests in
/// flight, and the start of the oldest request that ended without an answer (the client gave up, a hedge won, the attempt
/// timed out) since its last answer. An instance that has owed an answer for longer than the stall threshold is stalled.
/// The request path writes at most one timestamp per answer; the stall detector does the rest on its tick.
/// </summary>
internal sealed class InstanceProgress
{
    private long _lastAnswer;
    private long _busySince;
    private long _unansweredSince;
    private long _latencyTicks;
    private long _answers;
    private long _typicalTicks;

    /// <summary>Notes an answer at timestamp <paramref name="now"/> that took <paramref name="latency"/>.</summary>
    public void OnAnswer(TimeProvider time, long now, TimeSpan latency)
    {
        // Answers within a millisecond of the last noted one do not rewrite it: a write per request would bounce the cache
        // line between cores, and no stall threshold is that short.
        if (now - Volatile.Read(ref _lastAnswer) > time.TimestampFrequency / 1000)
        {
            Volatile.Write(ref _lastAnswer, now);
        }

        if (Volatile.Read(ref _unansweredSince) != 0)
        {
            Volatile.Write(ref _unansweredSince, 0);
        }

        Interlocked.Add(ref _latencyTicks, latency.Ticks);
        Interlocked.Increment(ref _answers);
    }

    /// <summary>Notes that a request sent at <paramref name="started"/> ended without an answer.</summary>
    public void OnUnanswered(long started) => Interlocked.CompareExchange(ref _unansweredSince, started, 0);

    /// <summary>
    /// How long the instance has owed an answer at <paramref name="now"/>, given <paramref name="inFlight"/> requests: zero
    /// when it owes none. Called on the detector's tick, which also notes when the instance became busy.
    /// </summary>
    public TimeSpan OwedFor(TimeProvider time, long now, int inFlight)
    {
        var busySince = Volatile.Read(ref _busySince);
        if (inFlight == 0)
        {
            if (busySince != 0)
            {
                Volatile.Write(ref _busySince, 0);
            }
        }
        else if (busySince == 0)
        {
            busySince = now;
            Volatile.Write(ref _busySince, now);
        }

        var unanswered = Volatile.Read(ref _unansweredSince);
        var owedSince = (busySince, unanswered) switch
        {
            (0, 0) => 0L,
            (0, _) => unanswered,
            (_, 0) => busySince,
            _ => Math.Min(busySince, unanswered),
        };
        if (owedSince == 0)
        {
            return TimeSpan.Zero;
        }

        // An answer since then pays the debt up to that moment.
        var from = Math.Max(owedSince, Volatile.Read(ref _lastAnswer));
        return now > from ? time.GetElapsedTime(from, now) : TimeSpan.Zero;
    }

    /// <summary>True when a request ended without an answer and no answer has come since.</summary>
    public bool HasUnanswered => Volatile.Read(ref _unansweredSince) != 0;

    /// <summary>The instance's own mean latency in the last window that had answers: what is normal for it.</summary>
    public TimeSpan Typical => TimeSpan.FromTicks(Volatile.Read(ref _typicalTicks));

    /// <summary>The mean latency of the answers since the last call and their count; starts a new window.</summary>
    public (TimeSpan Mean, long Count) TakeMeanLatency()
    {
        var count = Interlocked.Exchange(ref _answers, 0);
        var ticks = Interlocked.Exchange(ref _latencyTicks, 0);
        if (count == 0)
        {
            return (TimeSpan.Zero, 0);
        }

        Volatile.Write(ref _typicalTicks, ticks / count);
        return (TimeSpan.FromTicks(ticks / count), count);
    }

    /// <summary>Forgets the debt: the instance just proved alive (a probe answered).</summary>
    public void Reset(long now)
    {
        Volatile.Write(ref _lastAnswer, now);
        Volatile.Write(ref _busySince, 0);
        Volatile.Write(ref _unansweredSince, 0);
        TakeMeanLatency();
    }
}
