namespace Shoal.Gateway.RateLimiting;

/// <summary>How a rate limit counts (<c>rate_limit.algorithm</c>).</summary>
public enum RateLimitAlgorithm
{
    /// <summary><c>fixed_window</c>: at most <c>limit</c> requests in a window that opens with a key's first request.</summary>
    FixedWindow,

    /// <summary><c>sliding_window</c>: the current window's count plus the previous window's, weighted by how much of it still overlaps.</summary>
    SlidingWindow,

    /// <summary><c>token_bucket</c>: <c>limit</c> tokens per window refill a bucket of <c>burst</c>; each request takes one.</summary>
    TokenBucket,
}
