using System.Net;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Forwarding;
using Shoal.Http;

namespace Shoal.Gateway.Tests.Forwarding;

public sealed class DebugHeadersTests
{
    private static readonly IPNetwork[] s_proxies = [IPNetwork.Parse("10.0.0.0/8")];

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.4.5.6")]
    public void Begin_TrustedSource_IsTakenUp_AndTheHeaderNotForwarded(string client)
    {
        var context = Request(client, "1");

        var debug = DebugHeaders.Begin(context, s_proxies);

        Assert.NotNull(debug);
        Assert.Same(debug, context.Features.Get<DebugHeaders>());
        Assert.False(context.Request.Headers.ContainsKey(DebugHeaders.RequestHeader));
    }

    [Theory]
    [InlineData("203.0.113.7", "1")]
    [InlineData("127.0.0.1", "true")]
    [InlineData("127.0.0.1", "0")]
    public void Begin_UntrustedSourceOrAnotherValue_IsIgnored_AndTheHeaderStillRemoved(string client, string value)
    {
        var context = Request(client, value);

        Assert.Null(DebugHeaders.Begin(context, s_proxies));
        Assert.Null(context.Features.Get<DebugHeaders>());
        Assert.False(context.Request.Headers.ContainsKey(DebugHeaders.RequestHeader));
    }

    [Fact]
    public void Begin_ClientBehindATrustedProxy_IsJudgedByTheClientsAddress_NotTheProxys()
    {
        var context = Request("10.0.0.1", "1");
        context.Features.Set(new ClientAddressFeature(IPAddress.Parse("198.51.100.4")));

        Assert.Null(DebugHeaders.Begin(context, s_proxies));
    }

    [Fact]
    public void Write_NamesStrategyCandidatesAttemptsAndTrace()
    {
        var context = Request("127.0.0.1", "1");
        context.Request.Headers.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var debug = DebugHeaders.Begin(context, [])!;
        debug.Strategy = "round_robin";
        debug.Candidates = 3;
        debug.Attempts = 2;

        debug.Write(context.Response.Headers);

        Assert.Equal("round_robin", context.Response.Headers[DebugHeaders.StrategyHeader].ToString());
        Assert.Equal("3", context.Response.Headers[DebugHeaders.CandidatesHeader].ToString());
        Assert.Equal("2", context.Response.Headers[DebugHeaders.AttemptsHeader].ToString());
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.Response.Headers[DebugHeaders.TraceIdHeader].ToString());
    }

    private static DefaultHttpContext Request(string peer, string value)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers[DebugHeaders.RequestHeader] = value;
        return context;
    }
}
