using System.Net;

namespace Shoal.Net;

/// <summary>
/// The <see cref="SocketsHttpHandler"/> settings Shoal's own clients use, by purpose. Every preset turns off the system
/// proxy: Shoal talks to its own instances and daemons, and a proxy from the environment must never see that traffic.
/// </summary>
public static class UpstreamHandlers
{
    /// <summary>
    /// The gateway's forwarding client, tuned for a proxy (as YARP recommends): no redirects, cookies, decompression or
    /// trace headers of its own; connections kept a minute; several HTTP/2 connections when one is full.
    /// </summary>
    /// <remarks>
    /// Trace headers stay the gateway's to set, not the handler's: its propagator would only add a traceparent the
    /// request lacks (keeping the client's) and would parent it on whatever activity is current. The gateway writes
    /// the attempt span's own traceparent on each attempt and hedge instead (<c>GatewayTracing</c>), and leaves the
    /// client's untouched when tracing is off.
    /// </remarks>
    public static SocketsHttpHandler Proxy() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>
    /// Health probes of an instance: a probe's status is its own answer, so no redirects or cookies. Connections are
    /// recycled every 30 s, so an instance restarted on the same port is probed on a fresh connection.
    /// </summary>
    public static SocketsHttpHandler Probe() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Invocations of function instances: keep-alive connections kept five minutes, so a warm instance is reached without
    /// a new connect. No trace headers of its own: the invoker sends the pool's invoke span, and nothing when tracing is off.
    /// </summary>
    public static SocketsHttpHandler Invocation() => new()
    {
        UseProxy = false,
        ActivityHeadersPropagator = null,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>Calls between Shoal's own parts (the admin API, agents over gRPC); several HTTP/2 connections when one is full.</summary>
    public static SocketsHttpHandler ControlPlane() => new()
    {
        UseProxy = false,
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>A control-plane client that opens its own connections (a Unix socket, with or without a TCP fallback).</summary>
    /// <param name="connect">Opens the stream for a new connection.</param>
    public static SocketsHttpHandler ControlPlane(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        var handler = ControlPlane();
        handler.ConnectCallback = connect;
        return handler;
    }
}
