
namespace Shoal.Gateway.Configuration;

/// <summary>How the gateway balances and protects one service.</summary>
public sealed record ServiceRoutingOptions
{
    /// <summary>The settings of a service that sets none.</summary>
    public static ServiceRoutingOptions Default { get; } = new();

    /// <summary>The load-balancing strategy and its settings.</summary>
    public LoadBalancingSettings LoadBalancing { get; init; } = LoadBalancingSettings.Default;

    /// <summary>Timeouts, retries, breaker, ejection, bulkhead, slow start.</summary>
    public ResilienceSettings Resilience { get; init; } = ResilienceSettings.Default;

    /// <summary>The service's rate limit (its own <c>rate_limit:</c>, else <c>gateway.rate_limit</c>), or null for none.</summary>
    public RateLimiting.RateLimitSettings? RateLimit { get; init; }
}
