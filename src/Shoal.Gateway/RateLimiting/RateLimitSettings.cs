using Shoal.Gateway.Redis;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// One rate limit as the stack file gives it (<c>rate_limit:</c> under a service, under <c>gateway:</c> for every service
/// that sets none, or under a limit's <c>routes:</c> for the paths of one route pattern).
/// </summary>
public sealed record RateLimitSettings
{
    /// <summary>How requests are counted.</summary>
    /// <value>Defaults to <see cref="RateLimitAlgorithm.FixedWindow"/>.</value>
    public RateLimitAlgorithm Algorithm { get; init; } = RateLimitAlgorithm.FixedWindow;

    /// <summary>Requests admitted per <see cref="Window"/> and key.</summary>
    /// <value>Defaults to 100; 1 to 10,000,000.</value>
    public long Limit { get; init; } = 100;

    /// <summary>The window the limit is counted over.</summary>
    /// <value>Defaults to one minute; 1 s to 1 day.</value>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>For the token bucket: how many requests may come at once (the bucket's size).</summary>
    /// <value>Defaults to <see cref="Limit"/>.</value>
    public long? Burst { get; init; }

    /// <summary>What requests are counted by: <c>client_ip</c>, <c>header:NAME</c>, <c>api_key</c> or <c>claim:NAME</c>.</summary>
    /// <value>Defaults to <c>client_ip</c>.</value>
    public string Key { get; init; } = RateLimitKeys.ClientIp;

    /// <summary>Where the counters live.</summary>
    /// <value>Defaults to <see cref="StoreKind.Local"/>.</value>
    public StoreKind Store { get; init; } = StoreKind.Local;

    /// <summary>For the Redis store: a stack service's name or <c>host:port</c>.</summary>
    public string? Redis { get; init; }

    /// <summary>For the Redis store: what happens while Redis is away.</summary>
    /// <value>Defaults to <see cref="StoreFailureMode.Open"/>.</value>
    public StoreFailureMode OnStoreFailure { get; init; } = StoreFailureMode.Open;

    /// <summary>Limits of their own for the paths of some route patterns (same syntax as <c>routes:</c>), each complete with the fields it does not set taken from this one.</summary>
    public IReadOnlyDictionary<string, RateLimitSettings> Routes { get; init; } = new Dictionary<string, RateLimitSettings>(StringComparer.Ordinal);

    /// <summary>The bucket size of a token bucket.</summary>
    public long Capacity => Burst ?? Limit;
}
