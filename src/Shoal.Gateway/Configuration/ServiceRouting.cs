namespace Shoal.Gateway.Configuration;

/// <summary>A service's gateway section: <c>load_balancing:</c> and <c>resilience:</c>.</summary>
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
}
