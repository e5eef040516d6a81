using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Routing;

namespace Shoal.Gateway.Tests.Routing;

public sealed class HostRoutingTests
{
    private static readonly HostRouting s_routing = new(GatewayTestData.State(
        new RouteDefinition("/api/**", "api"),
        new RouteDefinition("/**", "web"),
        new RouteDefinition("/local/**", "localhost")));

    private static async Task<(string? Service, HttpContext Context, bool Next)> RouteAsync(string host, string remote = "127.0.0.1", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Request.Path = "/";
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Response.Body = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        var next = false;
        await s_routing.InvokeAsync(context, _ =>
        {
            next = true;
            return Task.CompletedTask;
        });
        return (HostRoute.Of(context)?.Service, context, next);
    }

    [Theory]
    [InlineData("api", "127.0.0.1", "api")]
    [InlineData("API:8080", "::1", "api")]
    [InlineData("web:1", "10.213.7.2", "web")]
    [InlineData("api", "::ffff:127.0.0.1", "api")]
    public async Task InvokeAsync_AServicesNameFromTheStacksOwnClients_RoutesThere(string host, string remote, string service)
    {
        var (routed, _, next) = await RouteAsync(host, remote);

        Assert.Equal(service, routed);
        Assert.True(next);
    }

    [Theory]
    [InlineData("api", "192.0.2.10")]
    [InlineData("api", "10.214.0.2")]
    [InlineData("nosuch", "127.0.0.1")]
    [InlineData("localhost:8080", "127.0.0.1")]
    [InlineData("127.0.0.1:8080", "127.0.0.1")]
    public async Task InvokeAsync_ARemoteClientOrAnotherName_LeavesItToThePaths(string host, string remote)
    {
        var (routed, _, next) = await RouteAsync(host, remote);

        Assert.Null(routed);
        Assert.True(next);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("Via", "1.1 nginx")]
    public async Task InvokeAsync_AForwardedRequest_LeavesItToThePaths(string header, string value)
    {
        var (routed, _, _) = await RouteAsync("api", "127.0.0.1", (header, value));

        Assert.Null(routed);
    }

    [Fact]
    public async Task InvokeAsync_AHostLongerThanANameAndPort_Is400()
    {
        var (routed, context, next) = await RouteAsync(new string('a', ServiceHost.MaxLength + 1));

        Assert.Null(routed);
        Assert.False(next);
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.Contains("Bad Host", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()), StringComparison.Ordinal);
    }
}
