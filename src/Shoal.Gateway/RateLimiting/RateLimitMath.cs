namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// The three algorithms on one key's <see cref="BucketState"/>, for the local store. The Redis scripts
/// (<see cref="RedisRateLimitScripts"/>) do the same arithmetic; a refused request changes no count.
/// </summary>
internal static class RateLimitMath
{
    public static RateLimitDecision Decide(ref BucketState state, long nowMs, RateLimitSettings settings) => settings.Algorithm switch
    {
        RateLimitAlgorithm.SlidingWindow => Sliding(ref state, nowMs, settings.Limit, WindowMs(settings)),
        RateLimitAlgorithm.TokenBucket => Bucket(ref state, nowMs, settings.Limit, settings.Capacity, WindowMs(settings)),
        _ => Fixed(ref state, nowMs, settings.Limit, WindowMs(settings)),
    };

    /// <summary>How long after its last request a key's state is back to a whole quota, so forgetting it changes nothing.</summary>
    public static long IdleAfterMs(RateLimitSettings settings) => settings.Algorithm switch
    {
        RateLimitAlgorithm.SlidingWindow => 2 * WindowMs(settings),
        RateLimitAlgorithm.TokenBucket => (long)Math.Ceiling(WindowMs(settings) * (double)settings.Capacity / settings.Limit),
        _ => WindowMs(settings),
    };

    public static long WindowMs(RateLimitSettings settings) => (long)settings.Window.TotalMilliseconds;

    /// <summary>A window opens with a key's first request and closes <paramref name="window"/> later.</summary>
    private static RateLimitDecision Fixed(ref BucketState s, long now, long limit, long window)
    {
        if (s.Stamp == long.MinValue || now - s.Stamp >= window)
        {
            s.Stamp = now;
            s.Count = 0;
        }

        var reset = Ms(s.Stamp + window - now);
        if (s.Count >= limit)
        {
            return new RateLimitDecision(false, 0, reset, reset);
        }

        s.Count++;
        return new RateLimitDecision(true, limit - (long)s.Count, reset, TimeSpan.Zero);
    }

    /// <summary>
    /// Windows aligned to the clock; the previous window's count weighs as much as it still overlaps the last
    /// <paramref name="window"/> (Cloudflare's approximation of a sliding log, in two numbers).
    /// </summary>
    private static RateLimitDecision Sliding(ref BucketState s, long now, long limit, long window)
    {
        var start = now - (now % window);
        if (s.Stamp != start)
        {
            s.Previous = s.Stamp == start - window ? s.Count : 0;
            s.Count = 0;
            s.Stamp = start;
        }

        var elapsed = now - start;
        var estimate = (s.Previous * (window - elapsed) / window) + s.Count;
        var reset = Ms(window - elapsed);
        if (estimate + 1 > limit)
        {
            // Wait until enough of the previous window has slid out; if this window alone is full, until the next one.
            var retry = s.Count + 1 > limit || s.Previous <= 0
                ? window - elapsed
                : (long)Math.Ceiling((window * (1 - ((limit - 1 - s.Count) / s.Previous))) - 1e-6) - elapsed;
            return new RateLimitDecision(false, 0, reset, Ms(Math.Max(1, retry)));
        }

        s.Count++;
        return new RateLimitDecision(true, (long)Math.Floor(limit - estimate - 1), reset, TimeSpan.Zero);
    }

    /// <summary><paramref name="limit"/> tokens per <paramref name="window"/> into a bucket of <paramref name="capacity"/>, full at first.</summary>
    private static RateLimitDecision Bucket(ref BucketState s, long now, long limit, long capacity, long window)
    {
        var rate = (double)limit / window;
        var tokens = s.Stamp == long.MinValue ? capacity : Math.Min(capacity, s.Count + (Math.Max(0, now - s.Stamp) * rate));
        s.Stamp = now;
        if (tokens < 1)
        {
            s.Count = tokens;
            return new RateLimitDecision(false, 0, Ms((long)Math.Ceiling((capacity - tokens) / rate)), Ms((long)Math.Ceiling((1 - tokens) / rate)));
        }

        s.Count = tokens - 1;
        return new RateLimitDecision(true, (long)Math.Floor(s.Count), Ms((long)Math.Ceiling((capacity - s.Count) / rate)), TimeSpan.Zero);
    }

    private static TimeSpan Ms(long milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
