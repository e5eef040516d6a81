using Polly;
using Polly.Retry;

namespace Shoal.Resilience;

/// <summary>
/// Retry pipelines (Polly) for Shoal's own calls to its registry, its store and its lock, with pauses on the
/// injected clock. A caller decides what is worth another try; cancellation always ends the retries. The gateway's
/// retries of proxied requests are the proxy's own policy (budgets, idempotency) and are not built here.
/// </summary>
public static class Retry
{
    /// <summary>A pipeline that tries a call again while <paramref name="retryWhen"/> calls its outcome (result or exception) a failure.</summary>
    /// <param name="schedule">How often and after what pauses.</param>
    /// <param name="retryWhen">True for an outcome worth another try; never called for the caller's own cancellation.</param>
    /// <param name="time">The clock the pauses run on.</param>
    /// <param name="onRetry">Called before each pause with the failed outcome and the number of the retry that follows (1 for the first).</param>
    public static ResiliencePipeline<T> Create<T>(RetrySchedule schedule, Func<Outcome<T>, bool> retryWhen, TimeProvider time, Action<Outcome<T>, int>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(retryWhen);
        var options = new RetryStrategyOptions<T>
        {
            MaxRetryAttempts = schedule.MaxRetries,
            Delay = schedule.Delay,
            BackoffType = schedule.Backoff,
            MaxDelay = schedule.MaxDelay,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(!IsCancellation(args.Outcome, args.Context.CancellationToken) && retryWhen(args.Outcome)),
        };
        if (onRetry is not null)
        {
            options.OnRetry = args =>
            {
                onRetry(args.Outcome, args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            };
        }

        return new ResiliencePipelineBuilder<T> { TimeProvider = time }.AddRetry(options).Build();
    }

    /// <summary>A pipeline that tries a call again while it throws an exception <paramref name="retryOn"/> accepts.</summary>
    /// <param name="schedule">How often and after what pauses.</param>
    /// <param name="retryOn">True for an exception worth another try; never called for the caller's own cancellation.</param>
    /// <param name="time">The clock the pauses run on.</param>
    /// <param name="onRetry">Called before each pause with the exception and the number of the retry that follows (1 for the first).</param>
    public static ResiliencePipeline Create(RetrySchedule schedule, Func<Exception, bool> retryOn, TimeProvider time, Action<Exception, int>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(retryOn);
        var options = new RetryStrategyOptions
        {
            MaxRetryAttempts = schedule.MaxRetries,
            Delay = schedule.Delay,
            BackoffType = schedule.Backoff,
            MaxDelay = schedule.MaxDelay,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } ex && !IsCancellation(args.Outcome, args.Context.CancellationToken) && retryOn(ex)),
        };
        if (onRetry is not null)
        {
            options.OnRetry = args =>
            {
                onRetry(args.Outcome.Exception!, args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            };
        }

        return new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(options).Build();
    }

    // The caller stopping is not a failure to retry, whatever the predicate says about its exception.
    private static bool IsCancellation<T>(Outcome<T> outcome, CancellationToken token) =>
        outcome.Exception is OperationCanceledException && token.IsCancellationRequested;
}
