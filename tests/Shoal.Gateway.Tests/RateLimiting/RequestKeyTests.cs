using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.RateLimiting;

namespace Shoal.Gateway.Tests.RateLimiting;

public sealed class RequestKeyTests
{
    private static DefaultHttpContext Request(string remote = "203.0.113.7", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    private static string Jwt(string payload) =>
        $"{Base64Url("{\"alg\":\"none\"}")}.{Base64Url(payload)}.";

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Of_Header_IsAHashOfItsValue_TheSameForTheSameValueFromAnotherAddress()
    {
        var key = new RequestKey("header:X-Tenant", []);

        var first = key.Of(Request("203.0.113.7", ("X-Tenant", "acme")));

        Assert.Equal(first, key.Of(Request("198.51.100.1", ("X-Tenant", "acme"))));
        Assert.NotEqual(first, key.Of(Request("203.0.113.7", ("X-Tenant", "other"))));
        Assert.Equal(22, first.Length);
    }

    [Fact]
    public void Of_MissingHeaderOrApiKey_CountsByClientAddress()
    {
        var header = new RequestKey("header:X-Tenant", []);
        var apiKey = new RequestKey(RateLimitKeys.ApiKey, []);
        var address = new RequestKey(RateLimitKeys.ClientIp, []);

        Assert.Equal(address.Of(Request()), header.Of(Request()));
        Assert.Equal(address.Of(Request()), apiKey.Of(Request()));
        Assert.NotEqual(address.Of(Request()), apiKey.Of(Request("203.0.113.7", ("X-Api-Key", "203.0.113.7"))));
    }

    [Fact]
    public void Of_ClientIp_BelievesXForwardedForOnlyFromATrustedProxy()
    {
        var key = new RequestKey(RateLimitKeys.ClientIp, [IPNetwork.Parse("10.0.0.0/8")]);
        var direct = new RequestKey(RateLimitKeys.ClientIp, []);

        Assert.Equal(direct.Of(Request("198.51.100.9")), key.Of(Request("10.1.2.3", ("X-Forwarded-For", "198.51.100.9"))));
        Assert.Equal(direct.Of(Request("203.0.113.7")), key.Of(Request("203.0.113.7", ("X-Forwarded-For", "198.51.100.9"))));
    }

    [Fact]
    public void Of_Claim_ReadsTheBearerTokensClaimUnvalidated_ElseTheAddress()
    {
        var key = new RequestKey("claim:sub", []);
        var address = new RequestKey(RateLimitKeys.ClientIp, []).Of(Request());

        var alice = key.Of(Request("203.0.113.7", ("Authorization", $"Bearer {Jwt("{\"sub\":\"alice\"}")}")));

        Assert.Equal(alice, key.Of(Request("198.51.100.1", ("Authorization", $"Bearer {Jwt("{\"sub\":\"alice\",\"x\":1}")}"))));
        Assert.NotEqual(address, alice);
        Assert.Equal(address, key.Of(Request("203.0.113.7", ("Authorization", "Bearer not-a-jwt"))));
        Assert.Equal(address, key.Of(Request("203.0.113.7", ("Authorization", $"Bearer {Jwt("{\"iss\":\"x\"}")}"))));
        Assert.Equal(address, key.Of(Request("203.0.113.7", ("Authorization", "Basic YTpi"))));
    }

    [Fact]
    public void Hash_HugeValue_IsTheSameShortKey()
    {
        var huge = new string('x', 1_000_000);

        var hash = RequestKey.Hash('h', huge);

        Assert.Equal(22, hash.Length);
        Assert.Equal(hash, RequestKey.Hash('h', huge));
        Assert.NotEqual(hash, RequestKey.Hash('a', huge));
    }
}
