using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Shoal.Testing;
using Shoal.Testing.Telemetry;

namespace Shoal.FunctionalTests;

/// <summary>
/// <c>GET /metrics</c> and the access log through the real <c>./shoal</c>: one stack (two replicas of the sample app, the
/// first answering <c>/api/whoami</c> with 500s, and the C# sample function) shared by the tests, each asserting the
/// change its own requests made.
/// </summary>
[Collection(TimedCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MetricsTests(MetricsTests.Stack fixture) : IClassFixture<MetricsTests.Stack>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private static readonly double[] s_buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private TestStack Shoal => fixture.Shoal!;

    [Fact]
    public async Task Requests_ExactCountsPerInstanceAndStatusClass_AndTheHistogramAddsUp()
    {
        var before = await ScrapeAsync();
        var seen = new Dictionary<(string Instance, string Class), int>();
        string[] paths = ["/api/status/200", "/api/status/404", "/api/status/204", "/api/status/418", "/api/status/201"];
        for (var i = 0; i < 50; i++)
        {
            using var response = await Shoal.Client.GetAsync(paths[i % paths.Length]);
            var key = (response.Headers.GetValues("x-shoal-instance").Single(), $"{(int)response.StatusCode / 100}xx");
            seen[key] = seen.GetValueOrDefault(key) + 1;
        }

        var after = await ScrapeAsync();
        Assert.Equal("counter", after.Types["shoal_gateway_requests_total"]);
        Assert.Equal("histogram", after.Types["shoal_gateway_request_duration_seconds"]);
        foreach (var instance in new[] { "app-1", "app-2" })
        {
            foreach (var statusClass in new[] { "2xx", "3xx", "4xx", "5xx" })
            {
                (string, string)[] labels = [("service", "app"), ("version", "1.0.0"), ("instance", instance), ("status_class", statusClass)];
                var delta = after.Value("shoal_gateway_requests_total", labels) - before.Value("shoal_gateway_requests_total", labels);
                Assert.True(seen.GetValueOrDefault((instance, statusClass)) == delta, $"{instance} {statusClass}: the client saw {seen.GetValueOrDefault((instance, statusClass))}, /metrics counted {delta}");
            }

            (string, string)[] of = [("service", "app"), ("version", "1.0.0"), ("instance", instance)];
            var answered = seen.Where(kv => kv.Key.Instance == instance).Sum(kv => kv.Value);
            Assert.Equal(answered, after.Value("shoal_gateway_request_duration_seconds_count", of) - before.Value("shoal_gateway_request_duration_seconds_count", of));
            var buckets = after.Find("shoal_gateway_request_duration_seconds_bucket", of)
                .Select(s => (Le: s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], System.Globalization.CultureInfo.InvariantCulture), s.Value))
                .OrderBy(b => b.Le)
                .ToList();
            Assert.Equal([.. s_buckets, double.PositiveInfinity], buckets.Select(b => b.Le));
            Assert.All(buckets.Zip(buckets.Skip(1)), pair => Assert.True(pair.First.Value <= pair.Second.Value, $"bucket le={pair.First.Le} ({pair.First.Value}) above le={pair.Second.Le} ({pair.Second.Value})"));
            Assert.Equal(after.Value("shoal_gateway_request_duration_seconds_count", of), buckets[^1].Value);
        }

        Assert.Equal(0, after.Value("shoal_gateway_requests_in_flight", ("service", "app")));
        Assert.Contains(after.Samples, s => s.Name.StartsWith("process_", StringComparison.Ordinal));
        Assert.Contains(after.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Breaker_AReplicaAnswering500s_OpensOnce_AndTakesNoMore()
    {
        var failures = 0;
        for (var i = 0; i < 20; i++)
        {
            using var response = await Shoal.Client.GetAsync("/api/whoami");
            failures += response.StatusCode == HttpStatusCode.InternalServerError ? 1 : 0;
        }

        // Three consecutive failures open app-1's breaker for ten minutes: the rest go to app-2.
        Assert.Equal(3, failures);
        var metrics = await ScrapeAsync();
        Assert.Equal(1, metrics.Value("shoal_gateway_breaker_transitions_total", ("service", "app"), ("instance", "app-1"), ("state", "open")));
        Assert.Equal(0, metrics.Value("shoal_gateway_breaker_transitions_total", ("instance", "app-2")));
        Assert.True(metrics.Value("shoal_gateway_requests_total", ("instance", "app-1"), ("status_class", "5xx")) >= 3);
    }

    [Fact]
    public async Task Function_ColdStartCountedOnce_InvocationsEach()
    {
        var before = await ScrapeAsync();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Shoal.Client.GetAsync("/cs/hello");
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var after = await ScrapeAsync();
        Assert.Equal(1, after.Value("shoal_function_cold_starts_total", ("function", "cs")));
        Assert.Equal(3, after.Value("shoal_function_invocations_total", ("function", "cs"), ("outcome", "success")) - before.Value("shoal_function_invocations_total", ("function", "cs"), ("outcome", "success")));
        Assert.Equal(3, after.Value("shoal_function_duration_seconds_count", ("function", "cs")) - before.Value("shoal_function_duration_seconds_count", ("function", "cs")));
        Assert.Equal(1, after.Value("shoal_function_instances", ("function", "cs"), ("state", "idle")));
        Assert.Equal(0, after.Value("shoal_function_instances", ("function", "cs"), ("state", "busy")));
        Assert.Equal(0, after.Value("shoal_function_waiting", ("function", "cs")));
        Assert.True(after.Value("shoal_registry_instances") >= 2);
    }

    [Fact]
    public async Task Metrics_OpenMetricsOnAccept()
    {
        using (var answered = await Shoal.Client.GetAsync("/api/status/200"))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var response = await Shoal.AdminClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var text = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(text.EndsWithEof);
        Assert.NotEmpty(text.Find("shoal_gateway_requests_total"));
    }

    [Fact]
    public async Task Metrics_NeedTheToken_NobodyGetsNothing()
    {
        using var anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Shoal.Admin };
        using (var response = await anonymous.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("shoal_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token-0123456789");
            using var response = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // Another local user: no token over TCP, and the owner-only socket does not let it in.
        Assert.Equal("401", await CurlAsNobodyAsync(new Uri(Shoal.Admin, "/metrics").ToString()));
        Assert.Equal("000", await CurlAsNobodyAsync("http://localhost/metrics", "--unix-socket", Shoal.AdminSocket));
    }

    [Fact]
    public async Task MetricsOff_RequestsAnswered_NoMetricsPageEvenWithTheToken()
    {
        await using var off = await TestStack.StartAsync(Stacks.WithSettings(1, "", "metrics: false"));
        for (var i = 0; i < 5; i++)
        {
            using var answered = await off.Client.GetAsync("/api/status/200");
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using var response = await off.AdminClient.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("shoal_", body, StringComparison.Ordinal);

        // The rest of the admin API is there: the 404 is the metrics being off, not the token or the listener.
        var gateway = await off.AdminJsonAsync("/v1/gateway");
        Assert.Equal("app", gateway.GetProperty("services")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task AccessLog_JsonLines_CarryStatusInstanceAttemptsAndDuration()
    {
        var marker = $"/api/status/202?n={Guid.NewGuid():N}";
        using (var response = await Shoal.Client.GetAsync(marker))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var response = await Shoal.Client.GetAsync("/nowhere"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var path = Path.Combine(Shoal.Directory, "access.log");
        JsonElement line = default;
        await Poll.UntilAsync(() =>
        {
            if (!File.Exists(path))
            {
                return false;
            }

            // Every line is one JSON object; the writer appends whole lines.
            var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            line = lines.FirstOrDefault(l => l.GetProperty("path").GetString() == marker.Split('?')[0] && l.GetProperty("query").GetString() == "?" + marker.Split('?')[1]);
            return line.ValueKind == JsonValueKind.Object && lines.Any(l => l.GetProperty("path").GetString() == "/nowhere");
        }, s_wait, "both requests in the access log");

        Assert.Equal(202, line.GetProperty("status").GetInt32());
        Assert.Equal("GET", line.GetProperty("method").GetString());
        Assert.Equal("app", line.GetProperty("service").GetString());
        Assert.Matches("^app-[12]$", line.GetProperty("instance").GetString());
        Assert.Equal(1, line.GetProperty("attempts").GetInt32());
        Assert.True(line.GetProperty("duration_ms").GetDouble() > 0);
        Assert.True(DateTimeOffset.TryParse(line.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Hedge_WhileAReplicaIsFrozen_CountedAsWon()
    {
        // Round robin over two replicas, one of them frozen (SIGSTOP): the requests it is given get no answer within the
        // 50 ms hedging delay and are sent to the other replica too, whose answer wins.
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(2, "resilience: { hedging: { delay: 50ms } }"));
        var frozen = stack.RecordedPids()["app-1"];
        ProcessUtil.Signal(frozen, "-STOP");
        try
        {
            for (var i = 0; i < 4; i++)
            {
                using var response = await stack.Client.GetAsync("/api/whoami");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("app-2", response.Headers.GetValues("x-shoal-instance").Single());
            }
        }
        finally
        {
            ProcessUtil.Signal(frozen, "-CONT");
        }

        using var scrape = await stack.AdminClient.GetAsync("/metrics");
        var metrics = PrometheusText.Parse(await scrape.Content.ReadAsStringAsync());
        Assert.True(metrics.Value("shoal_gateway_hedges_total", ("service", "app"), ("result", "won")) >= 1, "no hedge counted as won");
    }

    private static async Task<string> CurlAsNobodyAsync(string url, params string[] more)
    {
        var result = await ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", .. more, url], timeout: TimeSpan.FromSeconds(30));
        return result.Stdout.Trim();
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Shoal.AdminClient.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The one stack the tests share, with its two replicas healthy before the first test.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        public TestStack? Shoal { get; private set; }

        public async Task InitializeAsync()
        {
            var stack = TestStack.Create("""
                name: metrics
                gateway:
                  listen: %gateway%
                  admin: %admin%
                  access_log: { format: json, path: access.log }
                functions:
                  janitor_interval: 200ms
                services:
                  app:
                    command: [dotnet, "%sample%"]
                    replicas: 2
                    port: auto
                    version: "1.0.0"
                    health: { http: /api/health, interval: 500ms }
                    routes: ["/api/**"]
                    per_replica: [{ env: { FAIL_EVERY: "1" } }, {}]
                    resilience:
                      retries: { max_attempts: 1 }
                      hedging: { enabled: false }
                      circuit_breaker: { consecutive_failures: 3, failure_ratio: 0, break_duration: 10m }
                      outliers: { consecutive_failures: 0 }
                """);
            Shoal = stack;
            await File.WriteAllTextAsync(Path.Combine(stack.Directory, "functions.yml"), "functions:\n" + FunctionStacks.CSharp("cs", "idle_timeout: 10m"));
            await File.WriteAllTextAsync(Path.Combine(stack.Directory, "routing.yml"), "routes:\n  - { path: \"/cs/{proxy+}\", function: cs }\n");
            var up = await stack.ShoalAsync("up", "-d");
            Assert.True(up.ExitCode == 0, $"shoal up -d failed: {up}");

            // The test user's temp directory: opened so that only the socket's own check keeps another user out.
            File.SetUnixFileMode(stack.Directory, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(Path.Combine(stack.Directory, ".shoal"), (UnixFileMode)0b111_101_101);
            await Poll.UntilAsync(async () =>
            {
                var gateway = await stack.AdminJsonAsync("/v1/gateway");
                return gateway.GetProperty("services")[0].GetProperty("destinations").EnumerateArray().Count(d => d.GetProperty("available").GetBoolean()) == 2;
            }, s_wait, "both replicas in rotation");
        }

        public async Task DisposeAsync()
        {
            if (Shoal is not null)
            {
                await Shoal.DisposeAsync();
            }
        }
    }
}
