using System.Net;
using System.Text;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>Admin requests that got a 500 from a real daemon (the fuzz run and the admin fuzzer), each kept minimal.</summary>
public sealed class AdminApiRegressionTests : IAsyncLifetime
{
    // The deployment's interval is long so that a canary stays in progress for the scale test.
    private const string Stack = """
        name: regressions
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          app:
            command: [dotnet, "%sample%"]
            replicas: 1
            port: auto
            version: "1"
            health: { http: /api/health, interval: 500ms }
            routes: ["/api/**"]
            deploy: { interval: 1h }
        """;

    private TestStack _stack = null!;

    public async Task InitializeAsync() => _stack = await TestStack.StartAsync(Stack);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [InlineData("""{"address":"127.0.0.1","port":5000,"ttl":"1e20"}""", "ttl: 1e20 is out of range; use 1s to 1d")]
    [InlineData("""{"address":"127.0.0.1","port":5000,"ttl":"NaN"}""", "ttl: 'NaN' is not a duration such as 10s or 1m")]
    [InlineData("""{"address":"127.0.0.1","port":5000,"metadata":{"a":null}}""", "metadata: at most 64 entries, keys of 1 to 128 characters, text values (not null) of at most 1024")]
    public async Task Register_OddValue_Is400NamingTheField(string body, string detail)
    {
        var (status, problem) = await SendAsync(HttpMethod.Put, "/v1/services/ext/instances/ext-1", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"version":"2","interval":"60d"}""", "interval: '60d' is out of range; allowed 100ms to 1d.")]
    [InlineData("""{"version":"2","keep_old":"1e20"}""", "keep_old: '1e20' is out of range; allowed 0ms to 7d.")]
    [InlineData("""{"version":"2","env":{"A":null}}""", "env.A: a variable has a name without '=' and a text value, neither with NUL characters.")]
    [InlineData("""{"version":"2","command":[null]}""", "command: every argument is a text without NUL characters.")]
    public async Task Deploy_OddValue_Is400WithTheLimit(string body, string detail)
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "/v1/services/app/deployments", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"strategy":"round-robin","session_idle_timeout":"1e20"}""", "session_idle_timeout: '1e20' is out of range; allowed 1s to 7d")]
    [InlineData("""{"strategy":"round-robin","settings":{"a":null}}""", "settings.a: give a text value, not null")]
    public async Task Strategy_OddValue_Is400WithTheLimit(string body, string detail)
    {
        var (status, problem) = await SendAsync(HttpMethod.Put, "/v1/services/app/strategy", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("PUT", "/v1/services/app/strategy", 70 * 1024)]
    [InlineData("PUT", "/v1/services/app/strategy", 10 * 1024 * 1024)]
    [InlineData("PUT", "/v1/stack/services/app/replicas", 10 * 1024 * 1024)]
    [InlineData("POST", "/v1/services/app/deployments", 10 * 1024 * 1024)]
    [InlineData("PUT", "/v1/services/ext/instances/ext-1", 10 * 1024 * 1024)]
    public async Task AnyBody_OverTheCap_Is413(string method, string path, int size)
    {
        var body = "{\"strategy\":\"" + new string('x', size) + "\"}";

        // With Expect: 100-continue (curl's default for big bodies) the answer comes before the body is sent; without it
        // the client would still be writing when the daemon answers and closes, and see a broken pipe instead.
        var (status, problem) = await SendAsync(new HttpMethod(method), path, body, expectContinue: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Scale_DuringACanary_Is409AndNotApplied()
    {
        var (started, _) = await SendAsync(HttpMethod.Post, "/v1/services/app/deployments", """{"type":"canary","version":"2","weight":0}""");
        Assert.Equal(HttpStatusCode.Accepted, started);
        await Poll.UntilAsync(async () => (await _stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray()
            .SelectMany(s => s.GetProperty("replicas").EnumerateArray()).Any(r => r.GetProperty("id").GetString()!.StartsWith("app-v", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the canary's replica");

        var (status, problem) = await SendAsync(HttpMethod.Put, "/v1/stack/services/app/replicas", """{"replicas":3}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Another version of 'app' runs next to it; promote or roll back the deployment before scaling.", problem.GetProperty("detail").GetString());
        var main = (await _stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray().First(s => s.GetProperty("name").GetString() == "app");
        Assert.Equal(1, main.GetProperty("desired").GetInt32());
        await SendAsync(HttpMethod.Post, "/v1/services/app/deployments/rollback", null);
    }

    [Fact]
    public async Task UnknownRoute_IsAProblemWithoutATrace()
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "/v1/services/app/strategy", "{}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.False(problem.TryGetProperty("exception", out _));
    }

    private async Task<(HttpStatusCode Status, JsonElement Problem)> SendAsync(HttpMethod method, string path, string? body, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.ExpectContinue = expectContinue;
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _stack.AdminClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonSerializer.Deserialize<JsonElement>(text)
            : JsonSerializer.Deserialize<JsonElement>("{}"));
    }
}
