namespace Shoal.Gateway.RateLimiting;

/// <summary>What a Redis-backed limit does while its Redis cannot be reached (<c>rate_limit.on_store_failure</c>).</summary>
public enum StoreFailureMode
{
    /// <summary><c>open</c>: admit every request, unlimited, until Redis is back.</summary>
    Open,

    /// <summary><c>closed</c>: refuse every request with 503 until Redis is back.</summary>
    Closed,
}
