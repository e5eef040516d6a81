using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Shoal.Functions.Pool;
using Shoal.Resilience;

namespace Shoal.Functions.Hosting;

/// <summary>
/// Asynchronous (<c>Event</c>) invocations: a bounded queue the Invoke API answers 202 from, drained by a few workers
/// through the functions' pools. A failed or throttled event is retried twice with backoff, as Lambda does, so delivery
/// is at least once while the gateway runs; the queue lives in memory and is lost with the process.
/// </summary>
public sealed partial class EventInvocationQueue : IAsyncDisposable
{
    /// <summary>Attempts per event: the first and two retries.</summary>
    public const int MaxAttempts = 3;

    private readonly Channel<QueuedEvent> _channel;
    private readonly Func<string, FunctionPool?> _pools;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly ResiliencePipeline<EventOutcome> _retry;
    private long _delivered;
    private long _failed;

    /// <summary>Creates the queue and starts its workers.</summary>
    public EventInvocationQueue(int capacity, int workers, TimeSpan backoff, Func<string, FunctionPool?> pools, TimeProvider time, ILogger logger)
    {
        _channel = Channel.CreateBounded<QueuedEvent>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });
        _pools = pools;
        _logger = logger;
        _retry = Retry.Create<EventOutcome>(new RetrySchedule(MaxAttempts - 1, backoff, DelayBackoffType.Linear), o => o.Result == EventOutcome.Failed, time);
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(_stop.Token))).ToArray();
    }

    /// <summary>Events that ran to a result (success or handler error after the last retry).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events dropped after their last attempt failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues an event; false when the queue is full.</summary>
    public bool TryEnqueue(string function, string requestId, ReadOnlyMemory<byte> payload) =>
        _channel.Writer.TryWrite(new QueuedEvent(function, requestId, payload));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await RunAsync(item, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(QueuedEvent item, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var outcome = await _retry.ExecuteAsync(
            async token =>
            {
                attempt++;
                var pool = _pools(item.Function);
                if (pool is null)
                {
                    return EventOutcome.Dropped;
                }

                string reason;
                try
                {
                    var result = await pool.InvokeAsync(item.RequestId, item.Payload, token).ConfigureAwait(false);
                    if (!result.IsError)
                    {
                        return EventOutcome.Delivered;
                    }

                    reason = $"{result.ErrorType}: {result.ErrorMessage}";
                }
                catch (Exception ex) when (ex is FunctionThrottledException or FunctionStartException)
                {
                    reason = ex.Message;
                }

                LogAttemptFailed(item.Function, item.RequestId, attempt, reason);
                return EventOutcome.Failed;
            },
            cancellationToken).ConfigureAwait(false);
        if (outcome == EventOutcome.Delivered)
        {
            Interlocked.Increment(ref _delivered);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
    }

    [LoggerMessage(7401, LogLevel.Warning, "Event invocation {RequestId} of {Function} failed (attempt {Attempt}): {Reason}")]
    private partial void LogAttemptFailed(string function, string requestId, int attempt, string reason);

    private sealed record QueuedEvent(string Function, string RequestId, ReadOnlyMemory<byte> Payload);

    private enum EventOutcome
    {
        Delivered,
        Failed,
        Dropped,
    }
}
