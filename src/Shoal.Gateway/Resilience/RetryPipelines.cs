using Polly;
using Polly.Retry;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Resilience;

/// <summary>Builds the Polly pipeline that paces the attempts after a failed first one.</summary>
internal static class RetryPipelines
{
    public static ResiliencePipeline<AttemptOutcome> Create(RetrySettings settings, TimeProvider time)
    {
        if (settings.MaxAttempts <= 1)
        {
            return ResiliencePipeline<AttemptOutcome>.Empty;
        }

        return new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<AttemptOutcome>
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.Backoff,
                MaxDelay = settings.MaxBackoff,

                // Retry only what is safe to replay, and only while the budget lasts.
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Result is { Retryable: true, Budget: { } budget, Settings: { } s } && budget.TryRetry(s.Budget, s.MinRetriesPerSecond)),

                // Nothing reached an upstream that refused the connection: try another at once.
                DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result.NeverConnected ? TimeSpan.Zero : null),
            })
            .Build();
    }
}
