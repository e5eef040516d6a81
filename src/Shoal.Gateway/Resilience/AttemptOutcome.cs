using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Resilience;

/// <summary>How one forwarding attempt ended, as the retry pipeline sees it.</summary>
/// <param name="Retryable">The attempt failed before anything reached the client, and replaying the request is safe.</param>
/// <param name="NeverConnected">The upstream never saw the request (a refused or failed connect).</param>
/// <param name="Budget">The service's retry budget.</param>
/// <param name="Settings">The retry settings in force.</param>
internal readonly record struct AttemptOutcome(bool Retryable, bool NeverConnected, RetryBudget? Budget, RetrySettings? Settings)
{
    public static AttemptOutcome Done { get; } = new(false, false, null, null);
}
