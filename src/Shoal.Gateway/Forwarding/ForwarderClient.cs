using System.Net;

namespace Shoal.Gateway.Forwarding;

/// <summary>The one upstream HTTP client the gateway shares, tuned for a proxy: no proxy, cookies, redirects, decompression or tracing headers.</summary>
internal sealed class ForwarderClient : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        EnableMultipleHttp2Connections = true,
    });

    public void Dispose() => Invoker.Dispose();
}
