using System.Globalization;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// An instance's one invocation at a time, as Lambda holds it: an event waits until the runtime's <c>next</c> takes it
/// (or goes at once to a <c>next</c> that waits), is answered once, under the request id it was handed with, and is
/// ended by its deadlines. Once the instance is over (<see cref="Fail"/> for all) later invocations get that outcome
/// without running.
/// </summary>
/// <param name="timeout">The invocation timeout, from the moment the runtime takes the event.</param>
/// <param name="initTimeout">How long the runtime has to take an event (on top of <paramref name="timeout"/>).</param>
/// <param name="time">The clock of the deadlines.</param>
/// <param name="thaw">Thaws the paused instance before an event goes to it (called outside the lock).</param>
/// <param name="deadlinePassed">Called once a deadline has failed the invocation: the instance must be killed.</param>
internal sealed class InvocationSlot(TimeSpan timeout, TimeSpan initTimeout, TimeProvider time, Action thaw, Action<Invocation> deadlinePassed)
{
    private readonly Lock _lock = new();
    private Invocation? _queued;
    private Invocation? _running;
    private TaskCompletionSource<Invocation>? _nextWaiter;
    private InvokeResult? _terminal;
    private bool _initialized;
    private bool _paused;

    /// <summary>Called (outside the lock) each time the runtime waits in <c>next</c> with no event to take: the instance has turned idle.</summary>
    public Action? TurnedIdle { get; init; }

    /// <summary>Called with the request id when the runtime takes an event (Lambda's START).</summary>
    public Action<string>? Handed { get; init; }

    /// <summary>The invocation timeout.</summary>
    public TimeSpan InvocationTimeout => timeout;

    /// <summary>The request id of the invocation held now, if any (for messages).</summary>
    public string? CurrentRequestId => _running?.RequestId ?? _queued?.RequestId;

    /// <summary>True when the runtime has not asked for an event yet and the instance is not over.</summary>
    public bool AwaitingInit
    {
        get
        {
            lock (_lock)
            {
                return !_initialized && _terminal is null;
            }
        }
    }

    /// <summary>Whether the runtime has asked for an event yet, and whether the instance is paused.</summary>
    public (bool Initialized, bool Paused) Snapshot()
    {
        lock (_lock)
        {
            return (_initialized, _paused);
        }
    }

    /// <summary>Pauses unless paused: <paramref name="pause"/> runs under the lock and says whether it did.</summary>
    public void Pause(Func<bool> pause)
    {
        lock (_lock)
        {
            if (!_paused)
            {
                _paused = pause();
            }
        }
    }

    /// <summary>
    /// Pauses only an idle instance: its runtime waits in <c>next</c>, no event is queued or running, and it is not over;
    /// <paramref name="pause"/> runs under the lock (so no invocation slips in between) and says whether it did.
    /// </summary>
    /// <returns>True when it paused the instance now.</returns>
    public bool PauseIfIdle(Func<bool> pause)
    {
        lock (_lock)
        {
            if (_paused || _terminal is not null || _queued is not null || _running is not null || _nextWaiter is null)
            {
                return false;
            }

            _paused = pause();
            return _paused;
        }
    }

    /// <summary>Resumes a paused instance: <paramref name="resume"/> runs under the lock.</summary>
    public void Resume(Action resume)
    {
        lock (_lock)
        {
            if (_paused)
            {
                resume();
                _paused = false;
            }
        }
    }

    /// <summary>
    /// Hands the event to the runtime and waits for its answer within the deadlines. An instance that is busy or has
    /// ended answers at once with a result marked not run.
    /// </summary>
    /// <param name="requestId">The invocation's request id.</param>
    /// <param name="payload">The event.</param>
    /// <param name="traceParent">The caller's span (W3C); the runtime's <c>Lambda-Runtime-Trace-Id</c> continues its trace, else starts an unsampled one.</param>
    public async Task<InvokeResult> InvokeAsync(string requestId, ReadOnlyMemory<byte> payload, string? traceParent = null)
    {
        var invocation = new Invocation(requestId, payload, FunctionTraceContext.ToLambdaTraceId(traceParent) ?? Invocation.NewTraceId(time));
        InvokeResult? immediate = null;
        TaskCompletionSource<Invocation>? waiter = null;
        var resume = false;
        lock (_lock)
        {
            if (_terminal is not null)
            {
                immediate = _terminal with { NotRun = true };
            }
            else if (_queued is not null || _running is not null)
            {
                immediate = InvokeResult.Error(InvokeResultKind.Crash, "ResourceConflictException", "The instance is busy with another invocation.", instanceGone: false, notRun: true);
            }
            else
            {
                resume = _paused;
                _paused = false;

                // Until the runtime takes the event the init deadline runs (a warm instance takes it at once); then the
                // timeout (see Hand). A runtime that answered once but never asks again counts as one that timed out.
                invocation.Deadline = time.CreateTimer(static state => ((Deadline)state!).Expire(), new Deadline(this, invocation), initTimeout + timeout, Timeout.InfiniteTimeSpan);
                if (_nextWaiter is { } next)
                {
                    _nextWaiter = null;
                    _running = invocation;
                    waiter = next;
                }
                else
                {
                    _queued = invocation;
                }
            }
        }

        if (immediate is not null)
        {
            return immediate;
        }

        if (resume)
        {
            thaw();
        }

        // The runtime's waiting `next` answers on this thread (its continuation runs inline).
        waiter?.TrySetResult(invocation);
        var outcome = await invocation.Outcome.ConfigureAwait(false);

        // The runtime never took the event (it died or ended first), so another instance may run it.
        return invocation.WasHanded ? outcome : outcome with { NotRun = true };
    }

    /// <summary>The runtime's <c>next</c>: the queued event, else waits for one until <paramref name="aborted"/>.</summary>
    public async Task<NextResult> TakeNextAsync(CancellationToken aborted)
    {
        TaskCompletionSource<Invocation> waiter;
        lock (_lock)
        {
            _initialized = true;
            if (_terminal is not null)
            {
                return new NextResult(NextStatus.Terminated);
            }

            if (_nextWaiter is not null)
            {
                // One event goes to one `next`: a second one waiting alongside would be handed the same event.
                return new NextResult(NextStatus.AlreadyWaiting);
            }

            if (_queued is { } queued)
            {
                _queued = null;
                _running = queued;
                return new NextResult(NextStatus.Handed, queued);
            }

            // A runtime asking again after its last answer: the previous invocation is over.
            // Completed by InvokeAsync outside its lock; the continuation below runs inline on that thread.
            waiter = _nextWaiter = new TaskCompletionSource<Invocation>();
        }

        TurnedIdle?.Invoke();

        try
        {
            return new NextResult(NextStatus.Handed, await waiter.Task.WaitAsync(aborted).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (_nextWaiter == waiter)
                {
                    _nextWaiter = null;
                }
            }

            // Handed over just as the runtime hung up (or the instance ended): it will not answer; the invocation's
            // timeout settles it.
            return new NextResult(NextStatus.Abandoned);
        }
    }

    /// <summary>Marks the event as taken by the runtime: from now on the invocation timeout runs.</summary>
    public void Hand(Invocation invocation)
    {
        invocation.MarkHanded();
        Handed?.Invoke(invocation.RequestId);
        invocation.Deadline?.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The running invocation if <paramref name="requestId"/> names it, which the caller then answers; null otherwise (an answer comes once).</summary>
    public Invocation? TakeAnswer(string requestId)
    {
        lock (_lock)
        {
            var invocation = _running?.RequestId == requestId ? _running : null;
            if (invocation is not null)
            {
                _running = null;
            }

            return invocation;
        }
    }

    /// <summary>
    /// Ends the instance's life for invocations: the queued or running one gets <paramref name="outcome"/>, later ones
    /// too. With <paramref name="onlyRequestId"/>, only that running invocation ends, and the instance goes on.
    /// </summary>
    public void Fail(InvokeResult outcome, string? onlyRequestId = null)
    {
        Invocation? queued, running;
        TaskCompletionSource<Invocation>? waiter = null;
        lock (_lock)
        {
            if (onlyRequestId is not null)
            {
                running = _running?.RequestId == onlyRequestId ? _running : null;
                _running = running is null ? _running : null;
                queued = null;
            }
            else
            {
                _terminal ??= outcome;
                queued = _queued;
                running = _running;
                waiter = _nextWaiter;
                _queued = null;
                _running = null;
                _nextWaiter = null;
            }
        }

        // Outside the lock: these complete continuations inline.
        waiter?.TrySetCanceled();
        queued?.TryComplete(outcome);
        running?.TryComplete(outcome);
    }

    /// <summary>An invocation's deadline: past it, the invocation fails with a timeout and the instance is killed.</summary>
    private sealed class Deadline(InvocationSlot slot, Invocation invocation)
    {
        public void Expire()
        {
            InvokeResult timedOut;
            if (invocation.WasHanded)
            {
                var seconds = slot.InvocationTimeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
                timedOut = InvokeResult.Error(InvokeResultKind.Timeout, "Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: Task timed out after {seconds} seconds", instanceGone: true);
            }
            else
            {
                timedOut = InvokeResult.Error(InvokeResultKind.Timeout, "Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: the runtime did not ask for the invocation in time", instanceGone: true);
            }

            slot.Fail(timedOut);
            slot.DeadlinePassed(invocation);
        }
    }

    private void DeadlinePassed(Invocation invocation) => deadlinePassed(invocation);
}
