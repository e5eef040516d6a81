using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Model;
using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Telemetry;

/// <summary>
/// The gateway's spans ("Shoal.Gateway"): one server span per request, continuing the client's W3C trace or starting
/// one; under it the routing decision and each attempt (client kind; retries and hedges are attempts too). The replica
/// gets exactly one <c>traceparent</c>, its attempt's. With nothing listening the gateway starts no span and leaves
/// the client's trace headers as they came. A request whose trace is sampled out gets its server span only (unrecorded,
/// to carry the trace on): the replica's parent is then that span.
/// </summary>
public static class GatewayTracing
{
    /// <summary>The <see cref="ActivitySource"/> name of the gateway's spans.</summary>
    public const string SourceName = "Shoal.Gateway";

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";
    private static readonly ActivitySource s_source = new(SourceName);

    /// <summary>True while a tracer listens; one check per request when none does.</summary>
    internal static bool Enabled => s_source.HasListeners();

    /// <summary>
    /// The request's server span, a child of the client's <c>traceparent</c> (with its <c>tracestate</c>) or a new root.
    /// The parent is taken from the headers, never from the current activity: ASP.NET Core's own (made for logging
    /// scopes) is never exported, and a span under it would hang from a parent nobody sees.
    /// </summary>
    internal static Activity? StartRequest(HttpContext context)
    {
        var request = context.Request;
        ActivityContext.TryParse(request.Headers.TraceParent.ToString(), request.Headers.TraceState.ToString(), isRemote: true, out var parent);
        Activity.Current = null;
        var span = s_source.StartActivity(request.Method, ActivityKind.Server, parent);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("http.request.method", request.Method);
            span.SetTag("url.path", request.Path.Value);
            span.SetTag("url.scheme", request.Scheme);
            span.SetTag("network.protocol.version", request.Protocol);
            span.SetTag("client.address", context.Connection.RemoteIpAddress?.ToString());
        }

        return span;
    }

    /// <summary>The trace of <paramref name="context"/>'s request when the gateway traced it (for the access log); null otherwise.</summary>
    public static string? TraceIdOf(HttpContext context) =>
        context?.Features.Get<Activity>() is { Source.Name: SourceName } span ? span.TraceId.ToHexString() : null;

    /// <summary>Records the status the client got.</summary>
    internal static void EndRequest(Activity? span, HttpContext context)
    {
        if (span is null)
        {
            return;
        }

        var status = context.Response.StatusCode;
        span.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>A span for the routing decision; null when nothing listens or the request's trace is not recorded.</summary>
    internal static Activity? StartRouting() => Unrecorded() is null ? s_source.StartActivity("shoal.route") : null;

    /// <summary>
    /// The request's server span when its trace is sampled out (a propagation-only span). Its children would be dropped
    /// as well, and each would still cost an activity, its ids and two context switches: none is started, and the
    /// replica gets the server span as its parent, with the trace's sampled flag off.
    /// </summary>
    private static Activity? Unrecorded() =>
        Activity.Current is { IsAllDataRequested: false } current && current.Source == s_source ? current : null;

    /// <summary>Records the decision on the routing span (and for a debug request) and ends the span.</summary>
    internal static void Routed(Activity? routing, HttpContext context, ClusterState cluster, ClusterConfig config, DestinationState? chosen)
    {
        if (context.Features.Get<DebugHeaders>() is { } debug)
        {
            debug.Strategy = config.Policy.Name;
            debug.Candidates = cluster.Available.Length;
        }

        if (routing is null)
        {
            return;
        }

        if (routing.IsAllDataRequested)
        {
            routing.SetTag("shoal.service", cluster.Service);
            routing.SetTag("shoal.strategy", config.Policy.Name);
            routing.SetTag("shoal.candidates", cluster.Available.Length);
            routing.SetTag("shoal.instance", chosen?.Id);
            if (routing.Parent is { Kind: ActivityKind.Server } server && server.Source == s_source)
            {
                server.DisplayName = $"{context.Request.Method} {cluster.Service}";
                server.SetTag("shoal.service", cluster.Service);
            }
        }

        routing.Stop();
    }

    /// <summary>
    /// A span for attempt <paramref name="number"/> at <paramref name="destination"/>, written into the request's
    /// <c>traceparent</c>/<c>tracestate</c> (the forwarder copies them), replacing the client's.
    /// </summary>
    internal static Activity? StartAttempt(HttpContext context, DestinationState destination, int number)
    {
        if (context.Features.Get<DebugHeaders>() is { } debug)
        {
            debug.Attempts++;
        }

        var unrecorded = Unrecorded();
        var span = unrecorded is null ? s_source.StartActivity("shoal.attempt", ActivityKind.Client) : null;
        if ((span ?? unrecorded) is not { } carrier)
        {
            return null;
        }

        if (span is not null)
        {
            Describe(span, destination, number, hedge: false);
        }

        var headers = context.Request.Headers;
        headers.TraceParent = carrier.Id;
        if (carrier.TraceStateString is { } state)
        {
            headers.TraceState = state;
        }
        else
        {
            headers.Remove(TraceState);
        }

        return span;
    }

    /// <summary>Records how an attempt ended.</summary>
    internal static void Answered(Activity? span, ForwarderError error, int status)
    {
        if (span is null)
        {
            return;
        }

        if (error == ForwarderError.None)
        {
            span.SetTag("http.response.status_code", status);
            if (status >= 500)
            {
                span.SetStatus(ActivityStatusCode.Error);
            }

            return;
        }

        span.SetTag("error.type", error.ToString());
        span.SetStatus(ActivityStatusCode.Error);
    }

    /// <summary>
    /// A span for a hedge of the current attempt, written into the hedge's own request. It does not become the current
    /// activity: the attempt goes on waiting under its own span.
    /// </summary>
    internal static Activity? StartHedge(HttpContext context, DestinationState target, HttpRequestMessage request, int hedge)
    {
        if (context.Features.Get<DebugHeaders>() is { } debug)
        {
            debug.Attempts++;
        }

        if (!s_source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        var unrecorded = Unrecorded();
        var span = unrecorded is null ? s_source.StartActivity("shoal.attempt", ActivityKind.Client) : null;
        Activity.Current = current;
        if ((span ?? unrecorded) is not { } carrier)
        {
            return null;
        }

        if (span is not null)
        {
            Describe(span, target, hedge, hedge: true);
        }

        request.Headers.Remove(TraceParent);
        request.Headers.Remove(TraceState);
        request.Headers.TryAddWithoutValidation(TraceParent, carrier.Id);
        if (carrier.TraceStateString is { } state)
        {
            request.Headers.TryAddWithoutValidation(TraceState, state);
        }

        return span;
    }

    /// <summary>Ends a hedge's span when its request ends (answered, failed or cancelled as the loser).</summary>
    internal static void EndWith(Activity? span, Task<HttpResponseMessage> sent)
    {
        if (span is null)
        {
            return;
        }

        _ = sent.ContinueWith(
            static (task, state) =>
            {
                var span = (Activity)state!;
                if (task.IsCompletedSuccessfully)
                {
                    span.SetTag("http.response.status_code", (int)task.Result.StatusCode);
                }
                else if (task.IsCanceled)
                {
                    span.SetTag("shoal.cancelled", true);
                }
                else
                {
                    span.SetStatus(ActivityStatusCode.Error, task.Exception?.GetBaseException().Message);
                }

                span.Stop();
            },
            span,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static void Describe(Activity span, DestinationState destination, int number, bool hedge)
    {
        if (!span.IsAllDataRequested)
        {
            return;
        }

        span.SetTag("shoal.instance", destination.Id);
        span.SetTag("shoal.version", destination.Instance.Version);
        span.SetTag(hedge ? "shoal.hedge" : "shoal.attempt", number);
        span.SetTag("shoal.retry", !hedge && number > 1);
        span.SetTag("server.address", destination.Instance.Address);
        span.SetTag("server.port", destination.Instance.Port);
    }
}
