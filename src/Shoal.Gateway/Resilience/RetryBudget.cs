namespace Shoal.Gateway.Resilience;

/// <summary>
/// Caps retries at a share of recent requests (over the last 10 s, in 1 s buckets) plus a small floor per second, so that
/// when a service fails, retries add at most that much load instead of multiplying it.
/// </summary>
internal sealed class RetryBudget(TimeProvider time)
{
    private const int Buckets = 10;
    private readonly long[] _second = new long[Buckets];
    private readonly long[] _requests = new long[Buckets];
    private readonly long[] _retries = new long[Buckets];
    private readonly long _start = time.GetTimestamp();
    private long _exhausted;

    /// <summary>Retries refused since the start (read by the metrics).</summary>
    public long Exhausted => Volatile.Read(ref _exhausted);

    /// <summary>Counts a request (on every request: one timestamp and one interlocked add).</summary>
    public void OnRequest() => Interlocked.Increment(ref _requests[Bucket()]);

    /// <summary>Takes a retry from the budget; false when it is spent.</summary>
    public bool TryRetry(double share, int minPerSecond)
    {
        var now = CurrentSecond();
        long requests = 0, retries = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (now - Volatile.Read(ref _second[i]) < Buckets)
            {
                requests += Volatile.Read(ref _requests[i]);
                retries += Volatile.Read(ref _retries[i]);
            }
        }

        if (retries >= (share * requests) + ((long)minPerSecond * Buckets))
        {
            Interlocked.Increment(ref _exhausted);
            return false;
        }

        Interlocked.Increment(ref _retries[Bucket()]);
        return true;
    }

    private long CurrentSecond() => (long)time.GetElapsedTime(_start).TotalSeconds;

    private int Bucket()
    {
        var second = CurrentSecond();
        var index = (int)(second % Buckets);
        var stamp = Volatile.Read(ref _second[index]);
        if (stamp != second && Interlocked.CompareExchange(ref _second[index], second, stamp) == stamp)
        {
            // First use of this bucket in a new second: it starts empty.
            Volatile.Write(ref _requests[index], 0);
            Volatile.Write(ref _retries[index], 0);
        }

        return index;
    }
}
