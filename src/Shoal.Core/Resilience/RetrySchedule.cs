using Polly;

namespace Shoal.Resilience;

/// <summary>How many times a call is tried again and how long it pauses before each new try.</summary>
/// <param name="MaxRetries">Tries after the first; <see cref="int.MaxValue"/> for a loop that only ends when cancelled.</param>
/// <param name="Delay">The pause before the first retry; later ones follow <paramref name="Backoff"/>.</param>
/// <param name="Backoff">Constant, linear (<c>Delay × n</c>) or exponential (<c>Delay × 2ⁿ⁻¹</c>) pauses; no jitter.</param>
/// <param name="MaxDelay">The longest pause, when the backoff grows.</param>
public sealed record RetrySchedule(int MaxRetries, TimeSpan Delay, DelayBackoffType Backoff = DelayBackoffType.Constant, TimeSpan? MaxDelay = null)
{
    /// <summary>Retries until cancelled, pauses growing from <paramref name="delay"/> to <paramref name="maxDelay"/>.</summary>
    public static RetrySchedule Forever(TimeSpan delay, TimeSpan maxDelay) =>
        new(int.MaxValue, delay, DelayBackoffType.Exponential, maxDelay);
}
