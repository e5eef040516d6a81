using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Pool;

/// <summary>
/// Hedging: a frozen instance (SIGSTOP, a stuck runtime, a paused VM) holds the invocation it was given and answers
/// nothing. The pool never gives it a second one (an instance runs one invocation at a time), but the one it holds
/// would wait for the function's timeout. For an idempotent invocation (the gateway's GET and HEAD routes) the pool
/// therefore sends the same event to another instance (idle, or started for it) once the first has held it for
/// <see cref="HedgeDelay"/>, and answers with the first real answer. The slow instance stays out of rotation until
/// it answers (then it is idle again) or its timeout kills it (then it is replaced): a quarantine that needs no
/// detector of its own.
/// </summary>
public sealed partial class FunctionPool
{
    /// <summary>The shortest hedge delay: below it, a GC pause or a busy host would double the work for nothing.</summary>
    internal static readonly TimeSpan MinHedgeDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>A warm invocation is hedged after this multiple of the function's recent warm p99.</summary>
    internal const int HedgeP99Multiple = 2;

    /// <summary>The hedge delay of a warm invocation before the pool has seen <see cref="LatencyWindow.MinSamples"/> of them.</summary>
    internal static readonly TimeSpan UnmeasuredHedgeDelay = TimeSpan.FromSeconds(1);

    private readonly LatencyWindow _warmLatency = new();
    private readonly LatencyWindow _coldLatency = new();

    /// <summary>
    /// Runs one invocation; when <paramref name="idempotent"/> and the instance holds it past <see cref="HedgeDelay"/>,
    /// runs it on a second instance as well and returns the first answer.
    /// </summary>
    /// <exception cref="FunctionThrottledException">At <c>concurrency.max</c> with the queue full or the wait past its deadline.</exception>
    /// <exception cref="FunctionStartException">No instance could be started.</exception>
    public async Task<InvokeResult> InvokeAsync(string requestId, ReadOnlyMemory<byte> payload, bool idempotent, CancellationToken cancellationToken)
    {
        if (!idempotent)
        {
            return await RunAsync(requestId, payload, dispatched: null, cancellationToken).ConfigureAwait(false);
        }

        // The hedge's timer is armed when an instance has the event (the delay does not count the wait for one) and
        // completes `Due` from the timer's thread. An invocation answered in time (all but a frozen instance's) thus
        // costs one timer and no hop through the thread pool: a continuation queued there, or a CancelAsync, wakes a
        // worker thread per invocation, which on a loaded host cost more than the rest of the pool's work.
        Task<InvokeResult> first;
        TimeSpan delay;
        using (var hedge = new HedgeTimer(this))
        {
            first = RunAsync(requestId, payload, hedge, cancellationToken);
            if (await Task.WhenAny(first, hedge.Due).ConfigureAwait(false) == first || cancellationToken.IsCancellationRequested)
            {
                return await first.ConfigureAwait(false);
            }

            delay = hedge.Delay;
        }

        Interlocked.Increment(ref _hedged);
        LogHedged(Function.Name, requestId, delay);
        var second = HedgeAsync(requestId, payload, cancellationToken);
        if (await Task.WhenAny((Task)first, second).ConfigureAwait(false) == first)
        {
            if (first.IsCompletedSuccessfully && IsAnswer(first.Result))
            {
                return first.Result;
            }

            // The first ended without an answer (its instance died or timed out): the hedge may still give one.
            var late = await second.ConfigureAwait(false);
            return late is not null && (IsAnswer(late) || !first.IsCompletedSuccessfully) ? late : await first.ConfigureAwait(false);
        }

        var hedged = second.Result;
        return hedged is not null && IsAnswer(hedged) ? hedged : await first.ConfigureAwait(false);
    }

    /// <summary>
    /// How long an instance may hold an idempotent invocation before a second instance gets it too:
    /// <see cref="HedgeP99Multiple"/> × the recent p99 of such invocations (warm or cold, as this one), at least
    /// <see cref="MinHedgeDelay"/>; null (no hedge) when that reaches the function's timeout, where the invocation
    /// ends anyway and a hedge would only run a slow invocation twice.
    /// </summary>
    internal TimeSpan? HedgeDelay(bool warm)
    {
        var p99 = (warm ? _warmLatency : _coldLatency).P99();
        if (p99 is null && !warm)
        {
            // A cold start that nothing has measured yet may take long: not hedged.
            return null;
        }

        var delay = p99 is null ? UnmeasuredHedgeDelay : Max(TimeSpan.FromTicks(p99.Value.Ticks * HedgeP99Multiple), MinHedgeDelay);
        var ceiling = warm ? Function.Timeout : Function.InitTimeout + Function.Timeout;
        return delay < ceiling ? delay : null;
    }

    /// <summary>True for an answer of the function itself (a result or its error), as opposed to a lost instance.</summary>
    private static bool IsAnswer(InvokeResult? result) => result is { NotRun: false, Kind: InvokeResultKind.Success or InvokeResultKind.HandlerError };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The hedge delay's timer, armed once (by the first attempt that reaches an instance) unless the delay says no hedge.</summary>
    private sealed class HedgeTimer(FunctionPool pool) : IDisposable
    {
        private readonly TaskCompletionSource _due = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private ITimer? _timer;
        private bool _armed;

        /// <summary>The delay armed.</summary>
        public TimeSpan Delay { get; private set; }

        /// <summary>Completes once the delay has passed since <see cref="Arm"/>.</summary>
        public Task Due => _due.Task;

        /// <summary>Starts the delay of a <paramref name="warm"/> (or cold) invocation; later calls do nothing.</summary>
        public void Arm(bool warm)
        {
            lock (_lock)
            {
                if (_armed)
                {
                    return;
                }

                _armed = true;
                if (pool.HedgeDelay(warm) is { } delay)
                {
                    Delay = delay;
                    _timer = pool._time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), _due, delay, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _armed = true;
                _timer?.Dispose();
            }
        }
    }

    /// <summary>The second attempt: its failures (no instance free, none could start) leave the first to answer.</summary>
    private async Task<InvokeResult?> HedgeAsync(string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(requestId, payload, dispatched: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FunctionThrottledException or FunctionStartException or OperationCanceledException)
        {
            LogHedgeFailed(Function.Name, requestId, ex.Message);
            return null;
        }
    }

    [LoggerMessage(7204, LogLevel.Information, "Function {Function}: invocation {RequestId} held for {Delay} without an answer; sending it to another instance too")]
    private partial void LogHedged(string function, string requestId, TimeSpan delay);

    [LoggerMessage(7205, LogLevel.Debug, "Function {Function}: the hedge of invocation {RequestId} got no instance: {Reason}")]
    private partial void LogHedgeFailed(string function, string requestId, string reason);
}
