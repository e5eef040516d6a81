using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Health;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Resilience;
using Shoal.Gateway.Routing;
using Shoal.Gateway.Telemetry;
using Shoal.Utilities;
using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Forwarding;

/// <summary>
/// The gateway's whole request path: match a route, take a bulkhead slot, pick an instance the strategy chooses and its
/// breaker admits, forward with YARP, report the outcome, and retry a failure that is safe to replay on another instance.
/// Everything per request reads immutable snapshots; the retry machinery (Polly) is entered only after a failure.
/// </summary>
internal sealed partial class GatewayRequestHandler(
    GatewayState state,
    IHttpForwarder forwarder,
    ForwarderClient client,
    IDestinationHealthUpdater health,
    TimeProvider time,
    IRandomFactory randomFactory,
    GatewayMetrics? metrics = null,
    RateLimiters? rateLimiters = null) : IHedgeTargets
{
    private readonly GatewayMetrics _metrics = metrics ?? GatewayMetrics.Disabled;
    internal const string InstanceHeader = "x-shoal-instance";
    private readonly Random _random = randomFactory.CreateRandomInstance();

    public async Task InvokeAsync(HttpContext context)
    {
        var cluster = HostRoute.Of(context) ?? state.Routes.Match(context.Request.Path.Value ?? "/");
        if (cluster is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No route", $"No route matches '{context.Request.Path}'.").ConfigureAwait(false);
            return;
        }

        var config = cluster.Config;
        if (rateLimiters is not null && !await rateLimiters.AdmitAsync(context, cluster, config).ConfigureAwait(false))
        {
            return;
        }

        RateLimitLease? lease = null;
        if (config.Bulkhead is { } bulkhead)
        {
            lease = await EnterBulkheadAsync(bulkhead, config, context).ConfigureAwait(false);
            if (lease is null)
            {
                _metrics.OnBulkheadRejected(cluster);
                context.Response.Headers.RetryAfter = "1";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Over capacity", $"Service '{cluster.Service}' has {config.Resilience.Bulkhead.MaxConcurrent} requests in flight and its queue is full.").ConfigureAwait(false);
                return;
            }
        }

        _metrics.OnRequestStarted(cluster);
        try
        {
            cluster.Budget.OnRequest();
            if (config.Policy is IPreparesPick prepares)
            {
                await prepares.PrepareAsync(context, cluster).ConfigureAwait(false);
            }

            var (outcome, tried) = await AttemptAsync(context, cluster, config, exclude: null).ConfigureAwait(false);
            if (outcome.Retryable)
            {
                var retry = new RetryState(this, context, cluster, config, outcome, tried);
                await config.Retries.ExecuteAsync(static (s, _) => s.NextAsync(), retry, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while a retry waited: nobody is left to answer.
        }
        finally
        {
            _metrics.OnRequestEnded(cluster);
            lease?.Dispose();
        }
    }

    private async ValueTask<(AttemptOutcome Outcome, DestinationState? Destination)> AttemptAsync(HttpContext context, ClusterState cluster, ClusterConfig config, List<DestinationState>? exclude)
    {
        var routing = GatewayTracing.StartRouting();
        var destination = Pick(context, cluster, config, exclude);
        GatewayTracing.Routed(routing, context, cluster, config, destination);
        if (destination is null)
        {
            _metrics.OnNoInstance(context, cluster, retry: exclude is not null);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = "1";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "No healthy instance", $"Service '{cluster.Service}' has no instance that can take the request.").ConfigureAwait(false);
            }

            return (AttemptOutcome.Done, null);
        }

        context.Response.Headers[InstanceHeader] = destination.InstanceHeader;
        var split = cluster.Split;
        var started = split is null ? 0 : time.GetTimestamp();
        using var span = GatewayTracing.StartAttempt(context, destination, (exclude?.Count ?? 0) + 1);
        var attempt = NewAttempt(context, cluster, config, destination, out var requestConfig);
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, destination.Prefix, attempt, requestConfig, HttpTransformer.Empty).ConfigureAwait(false);
        }
        finally
        {
            destination.EndRequest();
            if (attempt.Answered is { } hedge && !ReferenceEquals(hedge, destination))
            {
                hedge.EndRequest();
            }
        }

        GatewayTracing.Answered(span, error, context.Response.StatusCode);

        // A hedge may have answered instead, or failed last: the outcome is that instance's.
        var primary = destination;
        destination = attempt.Answered ?? attempt.Failed ?? destination;
        _metrics.OnAttempt(context, cluster, destination, context.Response.StatusCode, attempt.Started, retry: exclude is not null);
        if (attempt.Hedges > 0)
        {
            _metrics.OnHedged(cluster, attempt.Hedges, won: attempt.Answered is { } answered && !ReferenceEquals(answered, primary));
        }

        if (split is not null)
        {
            // A deployment's analysis compares versions on what each answered; a transport failure counts as a 502.
            cluster.Versions.Record(destination.Instance.Version, error == ForwarderError.None ? context.Response.StatusCode : 502, time.GetElapsedTime(started).TotalMilliseconds);
        }

        if (error == ForwarderError.None)
        {
            if (context.Response.StatusCode >= 500)
            {
                health.OnFailed(cluster, destination, refused: false, $"HTTP {context.Response.StatusCode}");
            }
            else
            {
                health.OnSucceeded(destination);
            }

            return (AttemptOutcome.Done, primary);
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var neverConnected = IsConnectFailure(exception);
        if (error is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient))
        {
            health.OnFailed(cluster, destination, refused: neverConnected, $"{error}: {exception?.GetBaseException().Message}");
        }

        return CanRetry(context, error, neverConnected)
            ? (new AttemptOutcome(true, neverConnected, cluster.Budget, config.Resilience.Retries), primary)
            : (AttemptOutcome.Done, primary);
    }

    private async ValueTask<RateLimitLease?> EnterBulkheadAsync(ConcurrencyLimiter bulkhead, ClusterConfig config, HttpContext context)
    {
        var lease = bulkhead.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        if (config.Resilience.Bulkhead.QueueSize == 0)
        {
            return null;
        }

        // A bounded wait in a bounded queue; a full queue refuses at once.
        using var timer = new CancellationTokenSource(config.Resilience.Bulkhead.QueueTimeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timer.Token);
        try
        {
            lease = await bulkhead.AcquireAsync(1, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    /// <summary>A request may go to another instance when nothing was sent to the client and replaying it is safe.</summary>
    private static bool CanRetry(HttpContext context, ForwarderError error, bool neverConnected)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        // Not connected: the upstream saw nothing, so any method can go elsewhere.
        if (neverConnected)
        {
            return true;
        }

        // Connected but failed before response headers: only idempotent requests without a body are replayed.
        return error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders
            && IsIdempotent(context.Request.Method)
            && context.Request.ContentLength is null or 0
            && !context.Request.Headers.ContainsKey("Transfer-Encoding");
    }

    internal static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);

    internal static bool IsConnectFailure(Exception? exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => true,
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => true,
        _ => false,
    };

    /// <summary>One request's retries: the first call hands Polly the failure already seen; later calls are new attempts elsewhere.</summary>
    private sealed class RetryState(GatewayRequestHandler handler, HttpContext context, ClusterState cluster, ClusterConfig config, AttemptOutcome first, DestinationState? firstDestination)
    {
        private readonly List<DestinationState> _tried = firstDestination is null ? [] : [firstDestination];
        private bool _replayed;

        public async ValueTask<AttemptOutcome> NextAsync()
        {
            if (!_replayed)
            {
                _replayed = true;
                return first;
            }

            if (context.Response.HasStarted)
            {
                return AttemptOutcome.Done;
            }

            // Nothing reached the client: clear the failed attempt's error response and go again.
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
            var (outcome, destination) = await handler.AttemptAsync(context, cluster, config, _tried).ConfigureAwait(false);
            if (destination is not null)
            {
                _tried.Add(destination);
            }

            return outcome;
        }
    }
}
