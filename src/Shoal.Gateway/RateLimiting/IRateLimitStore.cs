namespace Shoal.Gateway.RateLimiting;

/// <summary>Where one limit keeps its counters: this gateway's memory or a shared Redis.</summary>
internal interface IRateLimitStore
{
    /// <summary>Counts a request of <paramref name="key"/> (already hashed); null when the store cannot answer now.</summary>
    ValueTask<RateLimitDecision?> AcquireAsync(string key);
}
