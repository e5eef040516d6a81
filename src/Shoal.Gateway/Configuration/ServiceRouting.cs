namespace Shoal.Gateway.Configuration;

/// <summary>A service's gateway section: <c>load_balancing:</c>, <c>resilience:</c> and <c>rate_limit:</c>.</summary>
public sealed record ServiceRouting
{
    /// <summary>The section of a service that sets neither key.</summary>
    public static ServiceRouting Default { get; } = new();

    /// <summary>How the gateway balances requests over the replicas.</summary>
    public LoadBalancingSettings LoadBalancing { get; init; } = LoadBalancingSettings.Default;

    /// <summary>Where <c>load_balancing</c>'s strategy is written, to report a strategy no plugin provides.</summary>
    public (int Line, int Column) StrategyPosition { get; init; }

    /// <summary>Timeouts, retries, circuit breaker, outlier ejection, bulkhead and slow start.</summary>
    public ResilienceSettings Resilience { get; init; } = ResilienceSettings.Default;

    /// <summary>The service's <c>rate_limit:</c>, or null when it sets none (then <c>gateway.rate_limit</c> applies).</summary>
    public RateLimiting.RateLimitSettings? RateLimit { get; init; }

    /// <summary>Every <c>redis:</c> the service's sections name, to check the names against the stack's services.</summary>
    public IReadOnlyList<Redis.RedisReference> RedisReferences { get; init; } = Array.Empty<Redis.RedisReference>();
}
