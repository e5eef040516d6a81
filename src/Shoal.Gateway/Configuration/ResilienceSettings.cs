namespace Shoal.Gateway.Configuration;

/// <summary>How the gateway protects one service and its callers (<c>resilience:</c> in <c>shoal.yml</c>).</summary>
public sealed record ResilienceSettings
{
    /// <summary>The defaults.</summary>
    public static ResilienceSettings Default { get; } = new();

    /// <summary>How long the upstream may take to start answering (and between reads after that): past it, 504.</summary>
    /// <value>Defaults to 30 s.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The per-attempt timeout (same meaning as <see cref="Timeout"/>, for one attempt); null for auto.</summary>
    /// <value>Defaults to null (auto): 10 × the service's observed p99, at least 5 s and at most <see cref="Timeout"/>; <see cref="Timeout"/> until 100 requests were answered.</value>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>Hedged attempts for idempotent requests without a body.</summary>
    public HedgingSettings Hedging { get; init; } = new();

    /// <summary>The gateway's own detection of stalled instances.</summary>
    public StallDetectionSettings StallDetection { get; init; } = new();

    /// <summary>Retries of failed attempts.</summary>
    public RetrySettings Retries { get; init; } = new();

    /// <summary>The per-instance circuit breaker.</summary>
    public CircuitBreakerSettings CircuitBreaker { get; init; } = new();

    /// <summary>Passive outlier ejection.</summary>
    public OutlierSettings Outliers { get; init; } = new();

    /// <summary>Concurrency limits and the bounded queue.</summary>
    public BulkheadSettings Bulkhead { get; init; } = new();

    /// <summary>How long a newly healthy instance ramps from 10 % to its full share; zero for none.</summary>
    public TimeSpan SlowStart { get; init; }
}
