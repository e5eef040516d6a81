using System.Net;
using Shoal.Net;

namespace Shoal.Core.Tests.Net;

public sealed class UpstreamHandlersTests
{
    public static TheoryData<string> Presets => ["proxy", "probe", "invocation", "control-plane"];

    private static SocketsHttpHandler Create(string preset) => preset switch
    {
        "proxy" => UpstreamHandlers.Proxy(),
        "probe" => UpstreamHandlers.Probe(),
        "invocation" => UpstreamHandlers.Invocation(),
        _ => UpstreamHandlers.ControlPlane(),
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void EveryPreset_NeverUsesTheEnvironmentsProxy(string preset)
    {
        using var handler = Create(preset);

        Assert.False(handler.UseProxy);
    }

    [Fact]
    public void Proxy_ForwardsAsIs()
    {
        using var handler = UpstreamHandlers.Proxy();

        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.Null(handler.ActivityHeadersPropagator);
        Assert.Equal(TimeSpan.FromSeconds(5), handler.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), handler.PooledConnectionIdleTimeout);
        Assert.True(handler.EnableMultipleHttp2Connections);
    }

    [Fact]
    public void Probe_NoRedirects_FreshConnectionsEvery30Seconds()
    {
        using var handler = UpstreamHandlers.Probe();

        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
        Assert.Equal(TimeSpan.FromSeconds(5), handler.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), handler.PooledConnectionLifetime);
    }

    [Fact]
    public void Invocation_KeepsWarmConnectionsFiveMinutes()
    {
        using var handler = UpstreamHandlers.Invocation();

        Assert.Equal(TimeSpan.FromMinutes(5), handler.PooledConnectionIdleTimeout);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public void ControlPlane_WithAConnectCallback_UsesIt()
    {
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect = (_, _) => ValueTask.FromResult<Stream>(new MemoryStream());
        using var handler = UpstreamHandlers.ControlPlane(connect);

        Assert.Same(connect, handler.ConnectCallback);
        Assert.False(handler.UseProxy);
    }
}
