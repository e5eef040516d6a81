namespace Shoal.Gateway.Configuration;

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
