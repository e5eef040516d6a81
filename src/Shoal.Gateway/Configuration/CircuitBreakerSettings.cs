namespace Shoal.Gateway.Configuration;

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
