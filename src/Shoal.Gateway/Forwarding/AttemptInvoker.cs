using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.Forwarding;

/// <summary>
/// One forwarding attempt as YARP sends it: notes when the instance answers (response headers) or leaves the request
/// unanswered (cancelled: the client gave up, the attempt timed out, a hedge won), and, for a hedgeable request, sends the
/// same request to another instance when no answer came within the hedging delay; the first answer wins, the others get
/// as long again to finish (<see cref="LetFinishAsync"/>) and are then cancelled. Built per attempt: YARP hands it the
/// request message it made, so hedges carry the same transformed headers.
/// </summary>
internal sealed class AttemptInvoker : HttpMessageInvoker
{
    private static readonly HttpMessageHandler s_unused = new UnusedHandler();
    private readonly HttpMessageInvoker _inner;
    private readonly TimeProvider _time;
    private readonly IHedgeTargets _targets;
    private readonly IDestinationHealthUpdater _health;
    private readonly HttpContext _context;
    private readonly ClusterState _cluster;
    private readonly ClusterConfig _config;
    private readonly DestinationState _primary;
    private readonly TimeSpan? _hedgeDelay;
    private readonly TimeSpan _signalAge;

    public AttemptInvoker(HttpMessageInvoker inner, TimeProvider time, IHedgeTargets targets, IDestinationHealthUpdater health, HttpContext context, ClusterState cluster, ClusterConfig config, DestinationState primary, TimeSpan? hedgeDelay, TimeSpan signalAge)
        : base(s_unused, disposeHandler: false)
    {
        _inner = inner;
        _time = time;
        _targets = targets;
        _health = health;
        _context = context;
        _cluster = cluster;
        _config = config;
        _primary = primary;
        _hedgeDelay = hedgeDelay;
        _signalAge = signalAge;
    }

    /// <summary>The instance whose answer went to the client, or null when none answered.</summary>
    public DestinationState? Answered { get; private set; }

    /// <summary>The instance whose failure ended the attempt when none answered, or null.</summary>
    public DestinationState? Failed { get; private set; }

    /// <summary>When the first request was sent.</summary>
    public long Started { get; private set; }

    /// <summary>Hedges sent (for tests and metrics).</summary>
    public int Hedges { get; private set; }

    public override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Started = _time.GetTimestamp();
        if (_hedgeDelay is not { } delay || request.Content is not null)
        {
            try
            {
                var response = await _inner.SendAsync(request, cancellationToken).ConfigureAwait(false);
                OnAnswer(_primary, Started);
                return response;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                OnUnanswered(_primary, Started);
                throw;
            }
            catch
            {
                Failed = _primary;
                throw;
            }
        }

        return await SendHedgedAsync(request, delay, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendHedgedAsync(HttpRequestMessage request, TimeSpan delay, CancellationToken cancellationToken)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = _inner.SendAsync(request, cancel.Token);

        // Most requests are answered within the delay: nothing more than this wait (one timer, no exception when it
        // expires) is spent on them. One that failed or was cancelled before any hedge is handled below like any
        // finished attempt.
        await ((Task)sending).WaitAsync(delay, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (sending.IsCompletedSuccessfully)
        {
            OnAnswer(_primary, Started);
            cancel.Dispose();
            return sending.Result;
        }

        var first = new Attempt(_primary, Started, request, isHedge: false, cancel) { Task = sending };
        var attempts = new List<Attempt>(_config.Resilience.Hedging.MaxAttempts) { first };
        var hedging = true;
        Task? timer = null;
        while (true)
        {
            if (!first.Task.IsCompleted && !cancellationToken.IsCancellationRequested && hedging && timer is null && attempts.Count < _config.Resilience.Hedging.MaxAttempts)
            {
                // Every other instance as busy: look again after another delay (a stalled instance's requests pile up).
                hedging = TryHedge(request, attempts, cancellationToken, out var busy) || busy;
                if (hedging && attempts.Count < _config.Resilience.Hedging.MaxAttempts)
                {
                    timer = Task.Delay(delay, _time, cancellationToken);
                }
            }

            var running = new Task[attempts.Count + (timer is null ? 0 : 1)];
            for (var i = 0; i < attempts.Count; i++)
            {
                running[i] = attempts[i].Task!;
            }

            if (timer is not null)
            {
                running[^1] = timer;
            }

            var done = await Task.WhenAny(running).ConfigureAwait(false);
            if (ReferenceEquals(done, timer))
            {
                hedging &= timer.IsCompletedSuccessfully;
                timer = null;
                continue;
            }

            var finished = attempts.Find(a => ReferenceEquals(a.Task, done))!;
            attempts.Remove(finished);
            if (done.IsCompletedSuccessfully)
            {
                var response = finished.Task!.Result;
                OnAnswer(finished.Destination, finished.Started);
                foreach (var loser in attempts)
                {
                    _ = LetFinishAsync(loser, delay);
                }

                if (!ReferenceEquals(finished.Destination, _primary))
                {
                    _context.Response.Headers[GatewayRequestHandler.InstanceHeader] = finished.Destination.InstanceHeader;
                }

                finished.Cancel.Dispose();
                return response;
            }

            // A failed or cancelled attempt: the others may still answer. The failure that ends the request is the
            // handler's to report; one the request survives is reported here.
            _ = AbandonAsync(finished);
            if (attempts.Count == 0)
            {
                if (!done.IsCanceled)
                {
                    Failed = finished.Destination;
                }

                // Rethrows for YARP to map to an error.
                return await finished.Task!.ConfigureAwait(false);
            }

            if (!done.IsCanceled)
            {
                _health.OnFailed(_cluster, finished.Destination, refused: false, done.Exception?.GetBaseException().Message ?? "failed");
            }

            if (ReferenceEquals(finished, first))
            {
                hedging = false;
            }
        }
    }

    /// <summary>
    /// Sends the request to one more instance; false when there is none to send to (<paramref name="busy"/>: none less busy
    /// than the ones tried) or the retry budget is spent. The budget pays only for a hedge that is sent.
    /// </summary>
    private bool TryHedge(HttpRequestMessage request, List<Attempt> attempts, CancellationToken cancellationToken, out bool busy)
    {
        var target = _targets.PickHedgeTarget(_context, _cluster, _config, attempts.ConvertAll(a => a.Destination), out busy);
        if (target is null)
        {
            return false;
        }

        var retries = _config.Resilience.Retries;
        if (!_cluster.Budget.TryRetry(retries.Budget, retries.MinRetriesPerSecond))
        {
            target.EndRequest();
            return false;
        }

        var copy = Copy(request, target);
        var span = GatewayTracing.StartHedge(_context, target, copy, attempts.Count);
        var hedge = new Attempt(target, _time.GetTimestamp(), copy, isHedge: true, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken));
        hedge.Task = _inner.SendAsync(copy, hedge.Cancel.Token);
        GatewayTracing.EndWith(span, hedge.Task);
        attempts.Add(hedge);
        Hedges++;
        return true;
    }

    /// <summary>
    /// Lets an attempt that lost the race go on for up to <paramref name="grace"/> (the hedging delay) before it is
    /// cancelled. A cancelled HTTP/1.1 request takes its connection down (the next request then opens a new one) and
    /// throws; a loser that answers within the grace is a late answer instead (progress, not a stall sign), and disposing
    /// the response drains the rest of its body from the connection (SocketsHttpHandler's drain, at most 1 MB and 2 s),
    /// which then goes back to the pool for the next request.
    /// </summary>
    private async Task LetFinishAsync(Attempt attempt, TimeSpan grace)
    {
        await ((Task)attempt.Task!).WaitAsync(grace, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (attempt.Task.IsCompletedSuccessfully)
        {
            _health.OnLateAnswer(attempt.Destination, attempt.Started);
        }

        await AbandonAsync(attempt).ConfigureAwait(false);
    }

    /// <summary>Cancels an attempt that lost (or failed) and settles it once it ends: its response is dropped, its slot freed.</summary>
    private async Task AbandonAsync(Attempt attempt)
    {
        if (!attempt.Task!.IsCompleted)
        {
            await attempt.Cancel.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            using var response = await attempt.Task!.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // No answer before it was given up: a sign of a stall when it was older than the service's usual answer.
            OnUnanswered(attempt.Destination, attempt.Started);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its failure was reported where it was seen.
        }
        finally
        {
            attempt.Cancel.Dispose();
            if (attempt.IsHedge)
            {
                attempt.Request.Dispose();
                attempt.Destination.EndRequest();
            }
        }
    }

    private void OnAnswer(DestinationState destination, long started)
    {
        _health.OnAnswered(_cluster, destination, started);
        Answered = destination;
    }

    private void OnUnanswered(DestinationState destination, long started) => _health.OnUnanswered(destination, started, _signalAge);

    /// <summary>The same request for another instance: method, version, headers; hedged requests have no body.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage request, DestinationState target)
    {
        var copy = new HttpRequestMessage(request.Method, new Uri(target.Prefix + request.RequestUri!.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped)))
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (var header in request.Headers.NonValidated)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }

    private sealed class Attempt(DestinationState destination, long started, HttpRequestMessage request, bool isHedge, CancellationTokenSource cancel)
    {
        public bool IsHedge { get; } = isHedge;

        public DestinationState Destination { get; } = destination;

        public long Started { get; } = started;

        public HttpRequestMessage Request { get; } = request;

        public CancellationTokenSource Cancel { get; } = cancel;

        public Task<HttpResponseMessage>? Task { get; set; }
    }

    private sealed class UnusedHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The attempt invoker sends through the shared client.");
    }
}
