using Shoal.Net;

namespace Shoal.Gateway.Forwarding;

/// <summary>The one upstream HTTP client the gateway shares, tuned for a proxy: no proxy, cookies, redirects, decompression or tracing headers.</summary>
internal sealed class ForwarderClient : IDisposable
{
    public ForwarderClient()
        : this(UpstreamHandlers.Proxy())
    {
    }

    /// <summary>A client over <paramref name="handler"/> (internal for tests: an in-memory upstream).</summary>
    internal ForwarderClient(HttpMessageHandler handler) => Invoker = new HttpMessageInvoker(handler);

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
