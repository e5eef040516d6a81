namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// One key's counters, the same three numbers for every algorithm (the Redis scripts keep them in a hash): when the
/// window or the last refill began (Unix milliseconds; <see cref="long.MinValue"/> before the first request), the count
/// (or the tokens left) and the previous window's count.
/// </summary>
internal struct BucketState
{
    public long Stamp;
    public double Count;
    public double Previous;

    public BucketState()
    {
        Stamp = long.MinValue;
    }
}
