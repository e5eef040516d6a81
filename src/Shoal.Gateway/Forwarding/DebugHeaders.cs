using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.LoadBalancing;
using Shoal.Http;

namespace Shoal.Gateway.Forwarding;

/// <summary>
/// Why a request went where it went, for a request that asks with <c>x-shoal-debug: 1</c> from a trusted source:
/// the response carries the strategy, the candidates it chose among, the attempts and the trace id. A source is
/// trusted when the client (as resolved through <c>gateway.trusted_proxies</c>) is on loopback or is itself a trusted
/// proxy; anyone else's header is dropped unanswered, since the answer shows the service's topology.
/// </summary>
internal sealed class DebugHeaders
{
    public const string RequestHeader = "x-shoal-debug";
    public const string StrategyHeader = "x-shoal-strategy";
    public const string CandidatesHeader = "x-shoal-candidates";
    public const string AttemptsHeader = "x-shoal-attempts";
    public const string TraceIdHeader = "x-shoal-trace-id";

    /// <summary>The strategy that picked the instance, once one was picked.</summary>
    public string? Strategy { get; set; }

    /// <summary>How many instances the strategy could choose from.</summary>
    public int Candidates { get; set; }

    /// <summary>Attempts sent: the first, each retry and each hedge.</summary>
    public int Attempts { get; set; }

    /// <summary>The request's trace, when it has one.</summary>
    public string? TraceId { get; set; }

    /// <summary>
    /// Removes the request header (it is the gateway's, never the replica's) and, when it asks from a trusted source,
    /// returns the state the handler fills in, registered to be written when the response starts; else null.
    /// </summary>
    public static DebugHeaders? Begin(HttpContext context, IList<IPNetwork> trustedProxies)
    {
        var headers = context.Request.Headers;
        var asked = headers[RequestHeader] == "1";
        headers.Remove(RequestHeader);
        if (!asked || !IsTrustedSource(ClientAddressFeature.Of(context), trustedProxies))
        {
            return null;
        }

        var debug = new DebugHeaders();
        if (ActivityContext.TryParse(headers.TraceParent.ToString(), null, out var incoming))
        {
            debug.TraceId = incoming.TraceId.ToHexString();
        }

        context.Features.Set(debug);
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            context.Features.Get<DebugHeaders>()?.Write(context.Response.Headers);
            return Task.CompletedTask;
        }, context);
        return debug;
    }

    internal static bool IsTrustedSource(IPAddress? client, IList<IPNetwork> trustedProxies) =>
        client is not null && (IPAddress.IsLoopback(client) || ClientAddress.IsTrusted(client, trustedProxies));

    /// <summary>Writes the response headers (internal for tests: DefaultHttpContext never fires OnStarting).</summary>
    internal void Write(IHeaderDictionary headers)
    {
        if (Strategy is not null)
        {
            headers[StrategyHeader] = Strategy;
            headers[CandidatesHeader] = Candidates.ToString(CultureInfo.InvariantCulture);
        }

        headers[AttemptsHeader] = Attempts.ToString(CultureInfo.InvariantCulture);
        if (TraceId is not null)
        {
            headers[TraceIdHeader] = TraceId;
        }
    }
}
