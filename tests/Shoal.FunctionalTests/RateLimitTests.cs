using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// Rate limits and the session table shared through one real Redis by two gateways (two <c>./shoal</c> daemons, each its
/// own stack directory) in front of the same two sample apps, registered in both under the same instance ids. Stack a
/// fails open while Redis is away, stack b fails closed.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed partial class RateLimitTests(RateLimitTests.TwoGateways fixture) : IClassFixture<RateLimitTests.TwoGateways>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoGateways_OneRedis_AdmitExactlyTheLimitOfOneHundredAcrossBoth()
    {
        var client = $"limit-{Guid.NewGuid():N}";
        var sent = Enumerable.Range(0, 150).Select(i => (i % 2 == 0 ? fixture.A : fixture.B).Client).ToList();
        var responses = new List<HttpResponseMessage>();
        foreach (var batch in sent.Chunk(10))
        {
            // Ten at a time across both gateways: the count must hold under concurrency, not only one by one.
            responses.AddRange(await Task.WhenAll(batch.Select(c => SendAsync(c, "/api/whoami", client))));
        }

        try
        {
            Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
            var admitted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
            Assert.All(admitted, r => Assert.Equal("\"app\";q=100;w=60", Header(r, "RateLimit-Policy")));
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), admitted.Select(r => Remaining(Header(r, "RateLimit"))).Order());

            var refused = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.Matches(RateLimitZero(), Header(refused, "RateLimit"));
            Assert.Equal("\"app\";q=100;w=60", Header(refused, "RateLimit-Policy"));
            var retryAfter = int.Parse(Header(refused, "Retry-After"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Equal("The rate limit 'app' admits 100 requests per 1m; try again in " + retryAfter + " s.", problem.GetProperty("detail").GetString());
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task TwoGateways_OneRedis_KeepEachSessionOnOneInstance_AndRepinItTogetherWhenItsInstanceLeaves()
    {
        var client = $"sessions-{Guid.NewGuid():N}";

        // Set b's round robin a step off a's: with a table each, b would send every session a pinned to the other instance.
        var nextOfA = await ServedByAsync(fixture.A.Client, client, session: null);
        if (await ServedByAsync(fixture.B.Client, client, session: null) == nextOfA)
        {
            await ServedByAsync(fixture.B.Client, client, session: null);
        }

        var sessions = Enumerable.Range(0, 8).Select(i => $"s-{Guid.NewGuid():N}-{i}").ToList();
        var pinned = new Dictionary<string, string>();
        foreach (var session in sessions)
        {
            pinned[session] = await ServedByAsync(fixture.A.Client, client, session);
        }

        Assert.Equal(["ext-0", "ext-1"], pinned.Values.Distinct().Order());
        foreach (var session in sessions)
        {
            Assert.Equal(pinned[session], await ServedByAsync(fixture.B.Client, client, session));
        }

        foreach (var session in sessions)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(pinned[session], await ServedByAsync((i % 2 == 0 ? fixture.A : fixture.B).Client, client, session));
            }
        }

        // ext-0 leaves both gateways: its sessions move to ext-1, the same way through either, and stay there after it returns.
        await fixture.DeregisterAsync("ext-0");
        try
        {
            foreach (var session in sessions)
            {
                Assert.Equal("ext-1", await ServedByAsync(fixture.B.Client, client, session));
                Assert.Equal("ext-1", await ServedByAsync(fixture.A.Client, client, session));
            }
        }
        finally
        {
            await fixture.RegisterBothAsync();
        }

        foreach (var session in sessions)
        {
            Assert.Equal("ext-1", await ServedByAsync(fixture.A.Client, client, session));
            Assert.Equal("ext-1", await ServedByAsync(fixture.B.Client, client, session));
        }
    }

    [Fact]
    public async Task RedisStopped_OpenGatewayAdmits_ClosedGatewayRefuses_WithoutWaiting_AndEachLogsTheOutageOnce()
    {
        var client = $"outage-{Guid.NewGuid():N}";

        // /api/status/** has a limit of 2 of its own: two through a, the third through b is over it.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.A.Client, "/api/status/200", client));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.A.Client, "/api/status/200", client));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(fixture.B.Client, "/api/status/200", client));

        await fixture.Redis.StopAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++)
            {
                using var open = await SendAsync(fixture.A.Client, "/api/status/200", client);
                Assert.Equal(HttpStatusCode.OK, open.StatusCode);
                Assert.False(open.Headers.Contains("RateLimit"), "a request admitted without Redis has no count to report");
                using var closed = await SendAsync(fixture.B.Client, "/api/status/200", client);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, closed.StatusCode);
                Assert.Equal("application/problem+json", closed.Content.Headers.ContentType?.MediaType);
                Assert.Equal("1", Header(closed, "Retry-After"));
            }

            // 40 requests while Redis is away: none waited for it (a connect or command timeout each would take seconds).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"40 requests took {clock.Elapsed.TotalSeconds:F1} s with Redis away");
        }
        finally
        {
            await fixture.Redis.StartAgainAsync();
        }

        await Poll.UntilAsync(async () => await StatusAsync(fixture.B.Client, "/api/whoami", client) == HttpStatusCode.OK, s_wait, "gateway b to admit again once Redis is back");
        await Poll.UntilAsync(async () => await StatusAsync(fixture.A.Client, "/api/whoami", client) == HttpStatusCode.OK && LogCount(fixture.A, "is reachable again") == 1, s_wait, "gateway a to log that Redis is back");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.B.Client, "/api/whoami", client));
        }

        foreach (var stack in new[] { fixture.A, fixture.B })
        {
            Assert.Equal(1, LogCount(stack, $"Redis {fixture.Redis.Endpoint} is unreachable"));
            Assert.Equal(1, LogCount(stack, $"Redis {fixture.Redis.Endpoint} is reachable again"));
        }
    }

    [Fact]
    public async Task HostileKeys_ManyDistinctAndHuge_AreCountedByHashAndNeverReachRedisVerbatim()
    {
        var huge = new string('k', 16 * 1024);
        using (var first = await SendAsync(fixture.A.Client, "/api/whoami", huge))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(99, Remaining(Header(first, "RateLimit")));
        }

        using (var second = await SendAsync(fixture.B.Client, "/api/whoami", huge))
        {
            Assert.Equal(98, Remaining(Header(second, "RateLimit")));
        }

        var before = await KeyCountAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.A.Client, "/api/whoami", $"flood-{worker}-{i}-{Guid.NewGuid():N}"));
            }
        }));

        // One key each, hashed to a fixed length: no client value is stored as it was sent.
        Assert.Equal(before + 400, await KeyCountAsync());
        Assert.Equal("*0\r\n", await fixture.Redis.CommandAsync("KEYS", "*flood*"));
        Assert.Equal("*0\r\n", await fixture.Redis.CommandAsync("KEYS", "*kkkkkkkk*"));
        Assert.Equal(":0\r\n", await fixture.Redis.CommandAsync("EVAL", """
            local odd = 0
            for _, k in ipairs(redis.call('KEYS', 'shoal:rl:*')) do
              if not string.match(k, '^shoal:rl:app:[^:]+:[%w_-]+$') or #k > 60 then odd = odd + 1 end
            end
            return odd
            """, "0"));
    }

    private async Task<long> KeyCountAsync() =>
        long.Parse((await fixture.Redis.CommandAsync("EVAL", "return #redis.call('KEYS', 'shoal:rl:*')", "0")).Trim(':', '\r', '\n'), System.Globalization.CultureInfo.InvariantCulture);

    private static int LogCount(TestStack stack, string text)
    {
        var log = Path.Combine(stack.Directory, ".shoal", "shoal.log");
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string client, string? session = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Client", client);
        if (session is not null)
        {
            request.Headers.Add("X-Session-Id", session);
        }

        return await http.SendAsync(request);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string client)
    {
        using var response = await SendAsync(http, path, client);
        return response.StatusCode;
    }

    private static async Task<string> ServedByAsync(HttpClient http, string client, string? session)
    {
        using var response = await SendAsync(http, "/api/whoami", client, session);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("x-shoal-instance").Single();
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static long Remaining(string rateLimit) =>
        long.Parse(Regex.Match(rateLimit, ";r=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("""^"app";r=0;t=[0-9]+$""")]
    private static partial Regex RateLimitZero();

    /// <summary>Redis, two sample apps (ext-0, ext-1) and two stacks registering both, a failing open and b closed.</summary>
    public sealed class TwoGateways : IAsyncLifetime
    {
        private BackgroundProcess? _ext0;
        private BackgroundProcess? _ext1;
        private readonly int[] _ports = [FreePort.Next(), FreePort.Next()];

        public RedisServer Redis { get; private set; } = null!;

        public TestStack A { get; private set; } = null!;

        public TestStack B { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Redis = await RedisServer.StartAsync();
            _ext0 = BackgroundProcess.SampleApp("ext-0", _ports[0]);
            _ext1 = BackgroundProcess.SampleApp("ext-1", _ports[1]);
            A = await TestStack.StartAsync(Stack("rl-a", "open"));
            B = await TestStack.StartAsync(Stack("rl-b", "closed"));
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var port in _ports)
            {
                await Poll.UntilAsync(() => Answers(http, $"http://127.0.0.1:{port}/api/health"), s_wait, $"the sample app on {port} to answer");
            }

            await RegisterBothAsync();
        }

        /// <summary>Registers both apps in both stacks and waits until each gateway routes to both.</summary>
        public async Task RegisterBothAsync()
        {
            foreach (var stack in new[] { A, B })
            {
                for (var i = 0; i < 2; i++)
                {
                    using var response = await stack.AdminClient.PutAsync($"/v1/services/app/instances/ext-{i}", new StringContent($$"""{"address":"127.0.0.1","port":{{_ports[i]}}}""", Encoding.UTF8, "application/json"));
                    Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                }

                await Poll.UntilAsync(async () => (await stack.AdminJsonAsync("/v1/services/app")).GetProperty("instances").GetArrayLength() == 2, s_wait, "both instances registered");
            }
        }

        public async Task DeregisterAsync(string id)
        {
            foreach (var stack in new[] { A, B })
            {
                using var response = await stack.AdminClient.DeleteAsync($"/v1/services/app/instances/{id}");
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                await Poll.UntilAsync(async () => (await stack.AdminJsonAsync("/v1/services/app")).GetProperty("instances").GetArrayLength() == 1, s_wait, $"{id} to leave");
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var part in new IAsyncDisposable?[] { A, B, _ext0, _ext1, Redis })
            {
                if (part is not null)
                {
                    await part.DisposeAsync();
                }
            }
        }

        private static async Task<bool> Answers(HttpClient http, string url)
        {
            try
            {
                using var response = await http.GetAsync(url);
                return response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }

        private string Stack(string name, string onStoreFailure) => $$"""
            name: {{name}}
            gateway:
              listen: %gateway%
              admin: %admin%
            services:
              app:
                external: true
                routes: ["/api/**"]
                load_balancing: { strategy: session, store: redis, redis: "{{Redis.Endpoint}}" }
                rate_limit:
                  limit: 100
                  window: 1m
                  key: header:X-Client
                  store: redis
                  redis: "{{Redis.Endpoint}}"
                  on_store_failure: {{onStoreFailure}}
                  routes:
                    /api/status/**: { limit: 2 }
            """;
    }
}
