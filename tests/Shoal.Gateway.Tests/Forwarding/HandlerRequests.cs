using System.Net;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;

namespace Shoal.Gateway.Tests.Forwarding;

/// <summary>What the tests that drive the real request handler share: quiet resilience settings and requests to send.</summary>
internal static class HandlerRequests
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>No backoff to wait out on the fake clock; breaker, ejection and hedging only where a test turns them on.</summary>
    public static readonly ResilienceSettings Quiet = GatewayTestData.QuietResilience;

    public static DefaultHttpContext NewRequest(string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/api";
        context.Response.Body = new MemoryStream();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        return context;
    }

    public static async Task<HttpContext> SendAsync(GatewayRequestHandler handler, HttpContext? context = null)
    {
        context ??= NewRequest();
        await handler.InvokeAsync(context).WaitAsync(Wait);
        return context;
    }
}
