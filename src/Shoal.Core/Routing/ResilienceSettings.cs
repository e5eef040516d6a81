namespace Shoal.Routing;

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

/// <summary>Retries: a failed attempt that never reached the upstream is retried for any method; one that did, only for idempotent methods without a body.</summary>
public sealed record RetrySettings
{
    /// <summary>Attempts per request, the first included; 1 turns retries off.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The median delay before the first retry (exponential, jittered); a refused connection retries at once.</summary>
    /// <value>Defaults to 25 ms, as Envoy.</value>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The longest delay between attempts.</summary>
    /// <value>Defaults to 250 ms.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Retries may add at most this share of the requests of the last 10 s, so they cannot amplify an outage.</summary>
    /// <value>Defaults to 0.2 (20 %), as Envoy's retry budget.</value>
    public double Budget { get; init; } = 0.2;

    /// <summary>Retries always allowed per second, whatever the budget, so a quiet service still retries.</summary>
    /// <value>Defaults to 3.</value>
    public int MinRetriesPerSecond { get; init; } = 3;
}

/// <summary>The per-instance circuit breaker: consecutive failures, or a failure ratio over a window, open it for a while; then one probe request decides.</summary>
public sealed record CircuitBreakerSettings
{
    /// <summary>Consecutive failures that open the breaker; 0 turns this trigger off.</summary>
    /// <value>Defaults to 5.</value>
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>The failure ratio over <see cref="Window"/> that opens the breaker; 0 turns this trigger off.</summary>
    /// <value>Defaults to 0.5.</value>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Requests needed in the window before the ratio is judged.</summary>
    /// <value>Defaults to 20.</value>
    public int MinimumRequests { get; init; } = 20;

    /// <summary>The window the ratio is taken over.</summary>
    /// <value>Defaults to 10 s.</value>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an open breaker stays open before a probe request is let through.</summary>
    /// <value>Defaults to 5 s.</value>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when either trigger is on.</summary>
    public bool Enabled => ConsecutiveFailures > 0 || FailureRatio > 0;
}

/// <summary>Passive outlier ejection: an instance that keeps failing is taken out and readmitted once its health probe passes.</summary>
public sealed record OutlierSettings
{
    /// <summary>Consecutive 5xx or transport failures that eject an instance (a refused connection ejects at once); 0 turns ejection off.</summary>
    /// <value>Defaults to 5, as Envoy's consecutive_5xx.</value>
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>How long an ejected instance waits before its first probe; doubles per failed probe, up to 30 s.</summary>
    /// <value>Defaults to 2 s.</value>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this share of a service's instances may be ejected at once (at least one may; never the last).</summary>
    /// <value>Defaults to 50 %.</value>
    public int MaxEjectionPercent { get; init; } = 50;
}

/// <summary>Bulkheads: limits on requests in flight, with a bounded queue; beyond it a fast 503 with Retry-After.</summary>
public sealed record BulkheadSettings
{
    /// <summary>Requests in flight to the whole service; 0 for no limit.</summary>
    public int MaxConcurrent { get; init; }

    /// <summary>Requests in flight to one instance; 0 for no limit.</summary>
    public int MaxConcurrentPerInstance { get; init; }

    /// <summary>Requests that may wait for a slot when the service limit is reached.</summary>
    public int QueueSize { get; init; }

    /// <summary>How long a queued request waits before it gets a 503.</summary>
    /// <value>Defaults to 1 s.</value>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
