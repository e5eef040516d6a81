using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Telemetry;
using Shoal.Http;

namespace Shoal.Gateway.Forwarding;

/// <summary>
/// What the gateway does to every request before it is routed, to a service or a function: resolves the client's
/// address through the trusted proxies (for functions' <c>sourceIp</c>), writes the forwarded headers, takes up a
/// debug request, and, when a tracer listens, wraps the rest in the gateway's server span.
/// </summary>
internal sealed class RequestEntry(GatewayOptions options)
{
    private readonly IList<IPNetwork> _trusted = options.TrustedProxies;
    private readonly ForwardedHeadersMode _forwarded = options.ForwardedHeaders;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // Without trusted proxies the peer is the client: nothing to resolve, nothing allocated.
        if (_trusted.Count > 0 && ClientAddress.Of(context, _trusted) is { } client)
        {
            context.Features.Set(new ClientAddressFeature(client));
        }

        var debug = context.Request.Headers.ContainsKey(DebugHeaders.RequestHeader) ? DebugHeaders.Begin(context, _trusted) : null;
        ForwardedHeaders.Apply(context, _forwarded, _trusted);
        return GatewayTracing.Enabled ? TracedAsync(context, next, debug) : next(context);
    }

    private static async Task TracedAsync(HttpContext context, RequestDelegate next, DebugHeaders? debug)
    {
        using var span = GatewayTracing.StartRequest(context);
        if (span is not null)
        {
            // For whoever needs the request's trace outside the span's scope (the access log, written after it).
            context.Features.Set(span);
            if (debug is not null)
            {
                debug.TraceId = span.TraceId.ToHexString();
            }
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }

        GatewayTracing.EndRequest(span, context);
    }
}
