using System.Net;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Forwarding;

namespace Shoal.Gateway.Tests.Forwarding;

public sealed class ForwardedHeadersTests
{
    private static readonly IPNetwork[] s_proxies = [IPNetwork.Parse("10.0.0.0/8")];

    [Fact]
    public void Apply_UntrustedPeerWithSpoofedHeaders_AllReplacedByWhatTheGatewaySaw()
    {
        var context = Request("203.0.113.7", ("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "bank.example"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.XForwarded, s_proxies);

        Assert.Equal("203.0.113.7", context.Request.Headers["X-Forwarded-For"].ToString());
        Assert.Equal("http", context.Request.Headers["X-Forwarded-Proto"].ToString());
        Assert.Equal("shop.test:8080", context.Request.Headers["X-Forwarded-Host"].ToString());
        Assert.False(context.Request.Headers.ContainsKey("Forwarded"));
    }

    [Fact]
    public void Apply_TrustedProxy_AppendsItselfAndKeepsTheClientsProtoAndHost()
    {
        var context = Request("10.1.2.3", ("X-Forwarded-For", "198.51.100.4"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "bank.example"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.XForwarded, s_proxies);

        Assert.Equal<string>(["198.51.100.4", "10.1.2.3"], [.. context.Request.Headers["X-Forwarded-For"]!]);
        Assert.Equal("https", context.Request.Headers["X-Forwarded-Proto"].ToString());
        Assert.Equal("bank.example", context.Request.Headers["X-Forwarded-Host"].ToString());
    }

    [Fact]
    public void Apply_Forwarded_Rfc7239ElementWithQuotedIPv6AndHostPort()
    {
        var context = Request("2001:db8::1", ("Forwarded", "for=evil"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.Forwarded, s_proxies);

        Assert.Equal("for=\"[2001:db8::1]\";proto=http;host=\"shop.test:8080\"", context.Request.Headers["Forwarded"].ToString());
        Assert.False(context.Request.Headers.ContainsKey("X-Forwarded-For"));
    }

    [Fact]
    public void Apply_BothFromATrustedProxy_AppendsToEach()
    {
        var context = Request("10.0.0.9", ("Forwarded", "for=198.51.100.4;proto=https"), ("X-Forwarded-For", "198.51.100.4"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.Both, s_proxies);

        Assert.Equal<string>(["for=198.51.100.4;proto=https", "for=10.0.0.9;proto=http;host=\"shop.test:8080\""], [.. context.Request.Headers["Forwarded"]!]);
        Assert.Equal<string>(["198.51.100.4", "10.0.0.9"], [.. context.Request.Headers["X-Forwarded-For"]!]);
    }

    [Fact]
    public void Apply_XForwardedMode_UntrustedPeersForwardedAndOtherForwardingHeaders_Removed()
    {
        // The gateway writes only X-Forwarded-For/Proto/Host here: a client's Forwarded (or X-Forwarded-Prefix, -Port,
        // X-Real-IP) would otherwise reach the replica as if a proxy had vouched for it.
        var context = Request("203.0.113.7", ("Forwarded", "for=1.2.3.4;proto=https"), ("X-Forwarded-Prefix", "/admin"), ("X-Forwarded-Port", "443"), ("X-Real-IP", "1.2.3.4"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.XForwarded, s_proxies);

        var headers = context.Request.Headers;
        Assert.False(headers.ContainsKey("Forwarded"));
        Assert.False(headers.ContainsKey("X-Forwarded-Prefix"));
        Assert.False(headers.ContainsKey("X-Forwarded-Port"));
        Assert.False(headers.ContainsKey("X-Real-IP"));
        Assert.Equal("203.0.113.7", headers["X-Forwarded-For"].ToString());
    }

    [Fact]
    public void Apply_ForwardedMode_UntrustedPeersXForwardedHeaders_Removed()
    {
        var context = Request("203.0.113.7", ("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "bank.example"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.Forwarded, s_proxies);

        var headers = context.Request.Headers;
        Assert.False(headers.ContainsKey("X-Forwarded-For"));
        Assert.False(headers.ContainsKey("X-Forwarded-Proto"));
        Assert.False(headers.ContainsKey("X-Forwarded-Host"));
        Assert.Equal("for=203.0.113.7;proto=http;host=\"shop.test:8080\"", headers["Forwarded"].ToString());
    }

    [Fact]
    public void Apply_XForwardedMode_TrustedProxysForwarded_KeptAsItVouchedForIt()
    {
        var context = Request("10.1.2.3", ("Forwarded", "for=198.51.100.4;proto=https"), ("X-Forwarded-Prefix", "/shop"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.XForwarded, s_proxies);

        Assert.Equal("for=198.51.100.4;proto=https", context.Request.Headers["Forwarded"].ToString());
        Assert.Equal("/shop", context.Request.Headers["X-Forwarded-Prefix"].ToString());
    }

    [Fact]
    public void Apply_None_LeavesTheRequestAsItCame()
    {
        var context = Request("203.0.113.7", ("X-Forwarded-For", "127.0.0.1"));

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.None, s_proxies);

        Assert.Equal("127.0.0.1", context.Request.Headers["X-Forwarded-For"].ToString());
        Assert.False(context.Request.Headers.ContainsKey("X-Forwarded-Proto"));
    }

    [Fact]
    public void Apply_IPv4MappedPeer_WrittenAsPlainIPv4()
    {
        var context = Request("::ffff:192.0.2.10");

        ForwardedHeaders.Apply(context, ForwardedHeadersMode.Both, []);

        Assert.Equal("192.0.2.10", context.Request.Headers["X-Forwarded-For"].ToString());
        Assert.StartsWith("for=192.0.2.10;", context.Request.Headers["Forwarded"].ToString(), StringComparison.Ordinal);
    }

    private static DefaultHttpContext Request(string peer, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("shop.test:8080");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }
}
