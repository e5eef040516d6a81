using System.Text;
using CsCheck;
using Shoal.Testing;
using Shoal.Testing.Fuzzing;
using Xunit.Abstractions;
using static Shoal.Testing.Fuzzing.JsonMutations;

namespace Shoal.FunctionalTests;

/// <summary>
/// Generated bodies and queries against every admin route of a real <c>./shoal</c> daemon: every answer is below 500,
/// and every refusal an RFC 7807 problem.
/// </summary>
[Trait("Category", Fuzz.Category)]
public sealed class AdminApiFuzzTests(ITestOutputHelper output)
{
    // A cheap second service to scale: sleep, not the sample app, so valid scales start no runtime.
    private const string Stack = """
        name: fuzz
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          app:
            command: [dotnet, "%sample%"]
            replicas: 1
            port: auto
            health: { http: /api/health, interval: 500ms }
            routes: ["/api/**"]
            deploy: { interval: 200ms, keep_old: 0s }
          worker:
            command: [sleep, "3600"]
            replicas: 1
            stop_grace_period: 0s
        """;

    private static readonly Gen<string> s_duration = Str("10s", "1m", "500ms", "1s");

    private static readonly Gen<(HttpMethod Method, string Path, string? Body)> s_registry = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf("ext", "app", "Bad Name", "x%00y", "e"), Gen.OneOf("ext-1", "a/b", "..", "é", "1"), Object(
            ("address", Str("127.0.0.1", "localhost", "::1", "10.0.0.1")),
            ("port", Number(1, 65535)),
            ("weight", Number(0, 10)),
            ("version", Str("1", "2")),
            ("metadata", Map(Str("a", "b"))),
            ("health", Str("passing", "warning", "critical")),
            ("draining", Gen.OneOf("true", "false")),
            ("ttl", s_duration),
            ("deregister_after", s_duration)), (s, id, body) => (HttpMethod.Put, $"/v1/services/{s}/instances/{id}", (string?)body))),
        (1, Gen.Select(Gen.OneOf("ext", "Bad Name"), Gen.OneOf("ext-1", "nope"), (s, id) => (HttpMethod.Delete, $"/v1/services/{s}/instances/{id}", (string?)null))),
        (1, Gen.OneOf("ext", "nope").Select(s => (HttpMethod.Put, $"/v1/services/{s}/instances/ext-1/heartbeat", (string?)null))),
        (2, Gen.Select(Gen.OneOf("ext", "app"), Gen.OneOf("0", "-1", "x", "99999999999999999999", "1e20", ""), Gen.OneOf("1ms", "0", "-1s", "1e20", "NaN", "60d", "Infinity", "x", ""),
            (s, index, wait) => (HttpMethod.Get, $"/v1/services/{s}?index={index}&wait={wait}", (string?)null))),
        (1, Gen.OneOf("1ms", "-1", "1e20", "NaN", "x").Select(wait => (HttpMethod.Get, $"/v1/services/ext/watch?index=999999&wait={wait}", (string?)null))));

    private static readonly Gen<(HttpMethod Method, string Path, string? Body)> s_scale =
        // Mostly the count the worker has: a real change starts or stops a process and takes about a second.
        Gen.Select(Gen.OneOf("worker", "worker", "worker", "nope", "APP"), Object(("replicas", Gen.Frequency((20, Gen.Const("1")), (1, Gen.Const("0")), (1, Gen.Const("2"))))),
            (s, body) => (HttpMethod.Put, $"/v1/stack/services/{s}/replicas", (string?)body));

    private static readonly Gen<(HttpMethod Method, string Path, string? Body)> s_strategy =
        Gen.Select(Gen.OneOf("app", "app", "app", "nope"), Object(
            ("strategy", Str("round-robin", "least-requests", "consistent-hash", "random", "nope")),
            ("session_header", Str("x-session", "")),
            ("session_cookie", Str("sid")),
            ("session_idle_timeout", s_duration),
            ("hash_key", Str("header:x-user", "path", "ip", "bogus")),
            ("bounded_load", Gen.OneOf("1.25", "2", "0.5")),
            ("virtual_nodes", Number(1, 200)),
            ("settings", Map(Str("1", "x")))), (s, body) => (HttpMethod.Put, $"/v1/services/{s}/strategy", (string?)body));

    private static readonly Gen<(HttpMethod Method, string Path, string? Body)> s_deployments = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("app", "app", "worker", "nope"), Object(
            ("type", Str("canary", "blue-green", "rolling", "nope")),
            ("version", Str("2", "3", "1.0.0")),
            ("command", Array(Str("sleep", "3600"))),
            ("env", Map(Str("1"))),
            ("replicas", Number(1, 2)),
            ("steps", Array(Number(0, 100))),
            ("weight", Number(0, 100)),
            ("interval", s_duration),
            ("analysis", Object(("max_error_rate", Str("5%", "0.1")), ("max_p99", s_duration), ("min_requests", Number(0, 10)))),
            ("keep_old", s_duration),
            ("header", Str("x-canary")),
            ("header_value", Str("1")),
            ("max_surge", Number(0, 2)),
            ("max_unavailable", Number(0, 1))), (s, body) => (HttpMethod.Post, $"/v1/services/{s}/deployments", (string?)body))),
        (2, Gen.Select(Gen.OneOf("promote", "rollback", "abort", "pause", "resume", "switch", "nope", "%00"), Gen.OneOf("", "why", "%00%1b"),
            (op, reason) => (HttpMethod.Post, $"/v1/services/app/deployments/{op}?reason={reason}", (string?)null))),
        (1, Gen.Const((HttpMethod.Get, "/v1/services/app/deployments", (string?)null))));

    public static TheoryData<string> Targets => ["registry", "scale", "strategy", "deployments"];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task AdminApi_GeneratedRequests_NeverAnswer5xx(string target)
    {
        var (gen, seed) = target switch
        {
            "registry" => (s_registry, 1UL),
            "scale" => (s_scale, 2UL),
            "strategy" => (s_strategy, 3UL),
            _ => (s_deployments, 4UL),
        };
        await using var stack = await TestStack.StartAsync(Stack);
        await Fuzz.RunAsync(gen, seed, request => AnswersWithoutServerErrorAsync(stack.AdminClient, request), output.WriteLine);
        await AnswersWithoutServerErrorAsync(stack.AdminClient, (HttpMethod.Get, "/healthz", null));
    }

    /// <summary>The fuzz property: below 500, and a problem document when refused.</summary>
    internal static async Task AnswersWithoutServerErrorAsync(HttpClient admin, (HttpMethod Method, string Path, string? Body) request)
    {
        using var message = new HttpRequestMessage(request.Method, request.Path);
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");

            // A body over the 64 KiB cap is answered 413 before it is read; a client that is still sending then sees
            // the connection close under it. With Expect: 100-continue (curl's way for big bodies) it reads the 413.
            message.Headers.ExpectContinue = request.Body.Length > 60 * 1024;
        }

        using var response = await admin.SendAsync(message);
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{request.Method} {request.Path} answered {status}: {await response.Content.ReadAsStringAsync()}");
        // Kestrel's own refusals of a malformed request line (a %00 in the path) come with an empty body.
        if (status >= 400 && response.Content.Headers.ContentLength > 0)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
