using System.Net;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Model;
using Shoal.Processes.Networking;

namespace Shoal.Gateway.Routing;

/// <summary>
/// Host routing: a request whose Host is a routed service's name (<c>http://api/…</c>, <c>http://api:8080/…</c>, or
/// the absolute form a client sends to the gateway as its HTTP proxy) goes to that service whatever its path, through
/// the same per-service handling as a path route. It answers the stack's own clients only: a connection from this
/// machine (loopback) or from an isolated replica (the bridges' 10.213.0.0/16) that no proxy or gateway forwarded.
/// Anyone else's Host is ignored and the paths decide, as before; a Host no name and port can be is refused (400).
/// </summary>
internal sealed class HostRouting(GatewayState state)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host.Value;
        if (host is { Length: > ServiceHost.MaxLength })
        {
            return Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Host", $"The Host header has {host.Length} characters; a host name and port have at most {ServiceHost.MaxLength}.");
        }

        if (ServiceHost.Name(host) is { IsEmpty: false } name && state.Routes.MatchHost(name) is { } cluster && IsStackClient(context))
        {
            context.Features.Set(new HostRoute(cluster));
        }

        return next(context);
    }

    /// <summary>
    /// True for a connection from this machine or an isolated replica that carries no sign of being forwarded: Host
    /// routing reaches all of a service, which only a client that could reach its replicas directly may ask for.
    /// </summary>
    internal static bool IsStackClient(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        if (!IPAddress.IsLoopback(remote) && !BridgeNetwork.Range.Contains(remote))
        {
            return false;
        }

        // A proxy on this machine (nginx, another gateway) passes on a remote client's Host: that client is not ours.
        var headers = context.Request.Headers;
        return !headers.ContainsKey("X-Forwarded-For") && !headers.ContainsKey("Forwarded") && !headers.ContainsKey("Via");
    }
}
