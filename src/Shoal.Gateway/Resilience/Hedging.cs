using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Shoal.Gateway.Resilience;

/// <summary>Which requests may be hedged: sending them twice must be harmless and cheap to copy.</summary>
internal static class Hedging
{
    /// <summary>True for a GET, HEAD or OPTIONS without a body that is not an upgrade (a WebSocket is one conversation with one instance).</summary>
    public static bool IsHedgeable(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)))
        {
            return false;
        }

        if (request.ContentLength is > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return false;
        }

        return context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true }
            && context.Features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true };
    }
}
