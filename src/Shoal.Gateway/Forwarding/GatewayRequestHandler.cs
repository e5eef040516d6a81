using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Health;
using Shoal.Gateway.Model;
using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Forwarding;

/// <summary>The gateway's whole request path: match a route, pick an instance, forward with YARP, fail over when an attempt fails before any response.</summary>
internal sealed class GatewayRequestHandler(
    GatewayState state,
    IHttpForwarder forwarder,
    ForwarderClient client,
    PassiveHealthMonitor passiveHealth)
{
    internal const string InstanceHeader = "x-shoal-instance";

    public async Task InvokeAsync(HttpContext context)
    {
        var cluster = state.Routes.Match(context.Request.Path.Value ?? "/");
        if (cluster is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No route", $"No route matches '{context.Request.Path}'.").ConfigureAwait(false);
            return;
        }

        IReadOnlyList<DestinationState> candidates = cluster.Available;
        var maxAttempts = cluster.Options.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            var destination = candidates.Count == 0 ? null : cluster.Policy.PickDestination(context, cluster, candidates);
            if (destination is null)
            {
                context.Response.Headers.RetryAfter = "1";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "No healthy instance", $"Service '{cluster.Service}' has no instance that can take the request.").ConfigureAwait(false);
                return;
            }

            context.Response.Headers[InstanceHeader] = destination.InstanceHeader;
            destination.BeginRequest();
            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(context, destination.Prefix, client.Invoker, cluster.RequestConfig, HttpTransformer.Empty).ConfigureAwait(false);
            }
            finally
            {
                destination.EndRequest();
            }

            if (error == ForwarderError.None)
            {
                if (context.Response.StatusCode >= 500)
                {
                    passiveHealth.ReportFailure(cluster, destination, refused: false, $"HTTP {context.Response.StatusCode}");
                }
                else
                {
                    passiveHealth.ReportSuccess(destination);
                }

                return;
            }

            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            var neverConnected = IsConnectFailure(exception);
            if (error is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient))
            {
                passiveHealth.ReportFailure(cluster, destination, refused: neverConnected, $"{error}: {exception?.GetBaseException().Message}");
            }

            if (attempt >= maxAttempts || !CanRetry(context, error, neverConnected))
            {
                return;
            }

            // Nothing reached the client: clear YARP's error response and try another instance.
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
            candidates = Without(candidates, destination);
            if (candidates.Count == 0)
            {
                candidates = cluster.Available;
            }
        }
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

    private static DestinationState[] Without(IReadOnlyList<DestinationState> candidates, DestinationState tried)
    {
        var result = new List<DestinationState>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (!ReferenceEquals(candidate, tried))
            {
                result.Add(candidate);
            }
        }

        return [.. result];
    }
}
