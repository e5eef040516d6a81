using System.Net;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// Service discovery through the real <c>./shoal</c>: a dependant's variables name the gateway, a request there reaches
/// the service; <c>Host: api</c> (and the absolute form a client sends to the gateway as its HTTP proxy) reaches
/// <c>api</c> on any path; a forwarded, oversized or malformed Host does not.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed class ServiceDiscoveryTests(ServiceDiscoveryStack fixture) : IClassFixture<ServiceDiscoveryStack>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Dependant_GetsTheGatewayUnderAspiresAndThePlainNames_AndReachesTheServiceThere()
    {
        var data = Path.Combine(Stack.Directory, ".shoal", "data", "web");
        var reply = Path.Combine(data, "reply");
        await Poll.UntilAsync(() => File.Exists(reply) && File.ReadAllText(reply).Contains("\r\n\r\n", StringComparison.Ordinal), s_wait, "web to call ${API_URL}");

        var env = File.ReadAllLines(Path.Combine(data, "env")).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var gateway = $"http://127.0.0.1:{Stack.GatewayPort}";
        Assert.Equal(gateway, env["services__api__http__0"]);
        Assert.Equal(gateway, env["API_URL"]);
        Assert.Equal(gateway, env["API_HTTP"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("services__web", StringComparison.Ordinal) || k == "WEB_URL");

        var headers = await File.ReadAllTextAsync(reply);
        Assert.StartsWith("HTTP/1.1 200", headers, StringComparison.Ordinal);
        Assert.Contains("x-shoal-instance: api-1", headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HostHeader_NamingAService_ReachesItOnAPathNoRouteHas_AnyPort()
    {
        // "/" has no route: only the Host can take it to api (whose own 404 then comes back through the gateway).
        Assert.Equal("api-1", await ServedByAsync("/", "api"));
        Assert.Equal("api-1", await ServedByAsync("/api/whoami", "API:9999"));
        Assert.Equal("api-1", await ServedByAsync("/api/whoami", "nosuch"));

        var raw = await RawAsync("GET / HTTP/1.1\r\nHost: api:8080\r\nConnection: close\r\n\r\n");
        Assert.Contains("x-shoal-instance: api-1", raw, StringComparison.OrdinalIgnoreCase);

        var unknown = await RawAsync("GET / HTTP/1.1\r\nHost: nosuch\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", unknown, StringComparison.Ordinal);
        Assert.Contains("No route", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayAsHttpProxy_AbsoluteFormRequest_ReachesTheNamedService()
    {
        using var handler = new SocketsHttpHandler { Proxy = new WebProxy(Stack.Gateway), UseProxy = true };
        using var client = new HttpClient(handler) { Timeout = s_wait };

        using var root = await client.GetAsync(new Uri("http://api/"));
        Assert.Equal("api-1", root.Headers.GetValues("x-shoal-instance").Single());
        using var whoami = await client.GetAsync(new Uri("http://api:8080/api/whoami"));
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
        Assert.Equal("api-1", whoami.Headers.GetValues("x-shoal-instance").Single());
    }

    [Fact]
    public async Task HostHeader_ForwardedOversizedOrMalformed_IsNotHostRouted()
    {
        // A proxy in front passes on someone else's Host: the paths decide, as for any remote client.
        var forwarded = await RawAsync("GET / HTTP/1.1\r\nHost: api\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", forwarded, StringComparison.Ordinal);
        Assert.DoesNotContain("x-shoal-instance", forwarded, StringComparison.OrdinalIgnoreCase);

        var huge = await RawAsync($"GET /api/whoami HTTP/1.1\r\nHost: {new string('a', 20_000)}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", huge, StringComparison.Ordinal);
        Assert.Contains("Bad Host", huge, StringComparison.Ordinal);

        foreach (var host in new[] { "api:port", "api/x", "a pi", "api:1:2" })
        {
            var malformed = await RawAsync($"GET /api/whoami HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            Assert.True(malformed.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), $"{host}: {malformed}");
        }

        // Two Hosts, or an absolute-form target naming another host than the Host header: which one would route is moot.
        var twice = await RawAsync("GET / HTTP/1.1\r\nHost: api\r\nHost: nosuch\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", twice, StringComparison.Ordinal);
        var mismatch = await RawAsync("GET http://api/ HTTP/1.1\r\nHost: nosuch\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", mismatch, StringComparison.Ordinal);

        // The path routes are as they were.
        Assert.Equal("api-1", await Stack.ServedByAsync());
    }

    private async Task<string> ServedByAsync(string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await Stack.Client.SendAsync(request);
        Assert.True(response.Headers.Contains("x-shoal-instance"), $"{host}{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.Headers.GetValues("x-shoal-instance").Single();
    }

    private Task<string> RawAsync(string request) => DashboardRawHttp.SendAsync(Stack.Gateway, request);
}
