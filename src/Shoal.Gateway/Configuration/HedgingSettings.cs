namespace Shoal.Gateway.Configuration;

/// <summary>
/// Hedging: an idempotent request without a body (GET, HEAD, OPTIONS) that has no answer after <see cref="Delay"/> is sent
/// to another instance as well; the first answer wins (as Envoy's <c>hedge_on_per_try_timeout</c> and gRPC's hedging
/// policy) and the other attempt gets as long again as the delay to finish, so its connection stays open, before it is
/// cancelled. A hedge goes only to an instance with at most half as many requests in flight as the slow one (when every
/// instance is as busy, it would only add load). Hedges are paid from the retry budget, stay on the version a
/// traffic split chose, and are not sent for services with an affinity strategy (session, ip-hash, consistent-hash), whose
/// keys must stay on their instance.
/// </summary>
public sealed record HedgingSettings
{
    /// <summary>True to hedge.</summary>
    /// <value>Defaults to true.</value>
    public bool Enabled { get; init; } = true;

    /// <summary>How long an attempt waits for response headers before the next is sent; null for auto.</summary>
    /// <value>Defaults to null (auto): the service's observed p99, at least 10 ms; no hedging until 100 requests were answered.</value>
    public TimeSpan? Delay { get; init; }

    /// <summary>Attempts in flight at most per request, the first included.</summary>
    /// <value>Defaults to 2; 2 to 5.</value>
    public int MaxAttempts { get; init; } = 2;
}
