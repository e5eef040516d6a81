using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>The gateway's strategies and resilience, end to end through <c>./shoal up</c>.</summary>
[Collection(TimedCollection.Name)]
public sealed class GatewayTests
{
    private static async Task<string> ServedByAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.Headers.GetValues("x-shoal-instance").Single();
    }

    private static async Task SetStrategyAsync(TestStack stack, object body)
    {
        using var response = await stack.AdminClient.PutAsJsonAsync("/v1/services/app/strategy", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the gateway no longer routes to <paramref name="id"/>.</summary>
    private static Task WaitUntilUnavailableAsync(TestStack stack, string id) =>
        Poll.UntilAsync(async () =>
        {
            var gateway = await stack.AdminJsonAsync("/v1/gateway");
            return gateway.GetProperty("services")[0].GetProperty("destinations").EnumerateArray()
                .All(d => d.GetProperty("id").GetString() != id || !d.GetProperty("available").GetBoolean());
        }, TimeSpan.FromSeconds(15), $"{id} to leave rotation");

    [Fact]
    public async Task RoundRobinThenWeighted_ExactShares_AndWeightedRunsStayShort()
    {
        // Shares are counted by the instance that answered: a hedge (a request slower than the service's p99, sent to
        // a second instance too) would move one answer, so this test of the strategies turns hedging off.
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(3, """
            per_replica: [{ weight: 5 }, { weight: 3 }, { weight: 2 }]
            resilience: { hedging: { enabled: false } }
            """));

        var roundRobin = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            roundRobin.Add(await ServedByAsync(stack.Client, "/api/whoami"));
        }

        await SetStrategyAsync(stack, new { strategy = "weighted" });
        var weighted = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            weighted.Add(await ServedByAsync(stack.Client, "/api/whoami"));
        }

        Assert.All(roundRobin.GroupBy(x => x), g => Assert.Equal(100, g.Count()));
        Assert.InRange(weighted.Count(x => x == "app-1"), 480, 520);
        Assert.InRange(weighted.Count(x => x == "app-2"), 280, 320);
        Assert.InRange(weighted.Count(x => x == "app-3"), 180, 220);
        var longestRun = weighted.Select((x, i) => weighted.Skip(i).TakeWhile(y => y == x).Count()).Max();
        Assert.True(longestRun <= 5, $"a run of {longestRun} consecutive requests hit one instance");
    }

    [Fact]
    public async Task StrategyChange_KeepsTheMinutesRateLimitCount()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(1, "rate_limit: { limit: 3, window: 1m }"));
        for (var i = 0; i < 3; i++)
        {
            await ServedByAsync(stack.Client, "/api/whoami");
        }

        await SetStrategyAsync(stack, new { strategy = "random" });

        // The strategy changed, the limit did not: the minute's three requests are spent.
        using var fourth = await stack.Client.GetAsync("/api/whoami");
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
    }

    [Theory]
    [InlineData("ip-hash")]
    [InlineData("session")]
    public async Task StickyStrategy_TwentyKeys_EachStays_AndMovesOnceWhenItsInstanceDies(string strategy)
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(3, $"""
            load_balancing: {strategy}
            restart: never
            """, gateway: "trusted_proxies: [127.0.0.1]"));
        (string, string) Key(int k) => strategy == "ip-hash" ? ("X-Forwarded-For", $"10.1.2.{k + 1}") : ("X-Session-Id", $"session-{k}");

        async Task<Dictionary<int, string>> OwnersAsync()
        {
            var owners = new Dictionary<int, string>();
            for (var k = 0; k < 20; k++)
            {
                var served = new HashSet<string>();
                for (var i = 0; i < 10; i++)
                {
                    served.Add(await ServedByAsync(stack.Client, "/api/whoami", Key(k)));
                }

                owners[k] = Assert.Single(served);
            }

            return owners;
        }

        var before = await OwnersAsync();
        var victim = before.Values.GroupBy(v => v).OrderByDescending(g => g.Count()).First().Key;
        ProcessUtil.Signal(stack.RecordedPids()[victim], "-9");
        await WaitUntilUnavailableAsync(stack, victim);
        var after = await OwnersAsync();
        var again = await OwnersAsync();

        Assert.All(Enumerable.Range(0, 20), k =>
        {
            Assert.NotEqual(victim, after[k]);
            if (before[k] != victim)
            {
                Assert.Equal(before[k], after[k]);
            }

            Assert.Equal(after[k], again[k]);
        });
        Assert.True(before.Values.Distinct().Count() > 1, "20 keys should spread over more than one instance");
    }

    [Fact]
    public async Task ConsistentHash_TenThousandKeys_AddingAFifthMovesAFifth_RemovingItMovesOnlyItsKeys()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(4, """
            load_balancing: { strategy: consistent-hash, hash_key: "header:X-User" }
            """));

        async Task<string[]> OwnersAsync()
        {
            var owners = new string[10_000];
            await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, _) =>
                owners[k] = await ServedByAsync(stack.Client, "/api/whoami", ("X-User", $"user-{k}")));
            return owners;
        }

        var four = await OwnersAsync();
        Assert.True((await stack.ShoalAsync("scale", "app=5")).ExitCode == 0);
        var five = await OwnersAsync();
        Assert.True((await stack.ShoalAsync("scale", "app=4")).ExitCode == 0);
        var fourAgain = await OwnersAsync();

        var moved = Enumerable.Range(0, 10_000).Count(k => five[k] != four[k]);
        Assert.InRange(moved, 1500, 2500);
        Assert.All(Enumerable.Range(0, 10_000).Where(k => five[k] != four[k]), k => Assert.Equal("app-5", five[k]));
        Assert.All(Enumerable.Range(0, 10_000), k => Assert.True(five[k] == "app-5" ? fourAgain[k] == four[k] : fourAgain[k] == five[k], $"key {k}"));
    }

    [Theory]
    [InlineData("least-requests")]
    [InlineData("power-of-two")]
    public async Task LoadAwareStrategy_SlowInstance_GetsMarkedlyFewerRequests(string strategy)
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(3, $$"""
            load_balancing: {{strategy}}
            per_replica: [{ env: { WORK_MS: "100" } }]
            """));

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/work", clients: 20, TimeSpan.FromSeconds(3));

        Assert.True(load.Failures.IsEmpty, string.Join(" | ", load.Failures.Take(3)));
        var slow = load.ServedBy.GetValueOrDefault("app-1");
        var fastest = Math.Min(load.ServedBy.GetValueOrDefault("app-2"), load.ServedBy.GetValueOrDefault("app-3"));
        Assert.True(slow * 4 < fastest, $"slow app-1 got {slow}, the fast ones {load.ServedBy.GetValueOrDefault("app-2")} and {load.ServedBy.GetValueOrDefault("app-3")}");
    }

    [Fact]
    public async Task FrozenReplica_TimeoutsOnlyUntilItsBreakerOpens_ThenNone()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(2, """
            resilience:
              timeout: 500ms
              retries: { max_attempts: 1 }
              circuit_breaker: { consecutive_failures: 2, break_duration: 30s }
              hedging: { enabled: false }
              stall_detection: { enabled: false }
            """));
        var frozen = stack.RecordedPids()["app-1"];
        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentQueue<TimeSpan>();
        TimeSpan frozenAt = default;
        try
        {
            var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 10, TimeSpan.FromSeconds(6), during: async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                frozenAt = clock.Elapsed;
                ProcessUtil.Signal(frozen, "-STOP");
            }, onFailure: _ => failures.Enqueue(clock.Elapsed));

            Assert.NotEmpty(failures);
            Assert.All(load.Failures, f => Assert.StartsWith("HTTP 504", f, StringComparison.Ordinal));
            var lastFailure = failures.Max();
            Assert.True(lastFailure - frozenAt < TimeSpan.FromSeconds(2.5), $"timeouts went on until {lastFailure.TotalSeconds:0.0}s, the replica froze at {frozenAt.TotalSeconds:0.0}s");
            Assert.True(load.Succeeded > 500, $"only {load.Succeeded} requests succeeded");
        }
        finally
        {
            ProcessUtil.Signal(frozen, "-CONT");
        }
    }

    [Fact]
    public async Task Retries_KillUnderTwentyClients_NoFailure_ButAPostThatReachedADyingInstanceIsNotRetried()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(2, "restart: never"));
        var pids = stack.RecordedPids();

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 20, TimeSpan.FromSeconds(4), during: async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            ProcessUtil.Signal(pids["app-1"], "-9");
        });
        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} failed, e.g. {string.Join(" | ", load.Failures.Take(3))}");

        // app-2 is the only one left; a POST that kills it must not be replayed anywhere.
        await WaitUntilUnavailableAsync(stack, "app-1");
        using var crash = await stack.Client.PostAsync("/api/crash", null);
        Assert.Equal(HttpStatusCode.BadGateway, crash.StatusCode);
        Assert.Equal("app-2", crash.Headers.GetValues("x-shoal-instance").Single());
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(pids["app-2"]), TimeSpan.FromSeconds(5), "app-2 to die");
    }

    [Fact]
    public async Task Bulkhead_TenPlusQueueOfTenUnderFiftyClients_ExcessGetsAFast503_MemoryStaysFlat()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(2, """
            resilience:
              timeout: 10s
              bulkhead: { max_concurrent: 10, queue_size: 10, queue_timeout: 5s }
            """));
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 100 }) { BaseAddress = stack.Gateway };

        // Warm the path first (connections, JIT): what is timed below is the rejection, not a cold start.
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await http.GetAsync("/api/slow?ms=1");
        }));

        var burst = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync("/api/slow?ms=1000");
            return (response.StatusCode, response.Headers.RetryAfter?.ToString(), watch.Elapsed);
        }));

        Assert.Equal(20, burst.Count(r => r.StatusCode == HttpStatusCode.OK));
        var rejected = burst.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(30, rejected.Count);
        Assert.All(rejected, r => Assert.Equal("1", r.Item2));
        // Fast: well before a slot could free (the admitted requests take 1 s) or the queue could time out (5 s).
        Assert.All(rejected, r => Assert.True(r.Elapsed < TimeSpan.FromMilliseconds(800), $"a rejection took {r.Elapsed.TotalMilliseconds:0} ms"));

        // Sustained overload: the gateway sheds load without growing.
        var daemon = stack.RecordedPids()["shoal"];
        await ClientLoad.RunAsync(stack.Gateway, "/api/slow?ms=20", clients: 50, TimeSpan.FromSeconds(2));
        var before = ProcessUtil.RssBytes(daemon);
        var sustained = await ClientLoad.RunAsync(stack.Gateway, "/api/slow?ms=20", clients: 50, TimeSpan.FromSeconds(5));
        var after = ProcessUtil.RssBytes(daemon);

        Assert.True(sustained.Succeeded > 100);
        Assert.Contains(sustained.Failures, f => f.StartsWith("HTTP 503", StringComparison.Ordinal));
        Assert.True(after - before < 30 * 1024 * 1024, $"gateway RSS grew from {before / 1048576} MB to {after / 1048576} MB");
    }

    [Fact]
    public async Task Strategy_SwitchedLiveUnderLoad_NoRequestFails()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(3, ""));
        object[] strategies =
        [
            new { strategy = "least-requests" }, new { strategy = "power-of-two" }, new { strategy = "random" },
            new { strategy = "weighted" }, new { strategy = "ip-hash" }, new { strategy = "session" },
            new { strategy = "consistent-hash", hash_key = "header:X-User", bounded_load = 1.25 }, new { strategy = "round-robin" },
        ];
        var counter = 0;

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 20, TimeSpan.FromSeconds(5), during: async () =>
        {
            foreach (var strategy in strategies.Concat(strategies))
            {
                await SetStrategyAsync(stack, strategy);
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }, request: () =>
        {
            var message = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
            message.Headers.Add("X-User", $"u{Interlocked.Increment(ref counter) % 50}");
            message.Headers.Add("X-Session-Id", $"s{counter % 50}");
            return message;
        });

        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} failed, e.g. {string.Join(" | ", load.Failures.Take(3))}");
        Assert.Equal(3, load.ServedBy.Count);
    }

    [Fact]
    public async Task CustomStrategy_FromAPluginProject_RoutesByRegion()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(3, """
            load_balancing: { strategy: nearest-region, settings: { header: x-region } }
            per_replica:
              - { metadata: { region: eu } }
              - { metadata: { region: us } }
              - { metadata: { region: us } }
            """, gateway: "plugins: [\"%root%/samples/Shoal.Samples.RegionStrategy/Shoal.Samples.RegionStrategy.csproj\"]"));

        var eu = new HashSet<string>();
        var us = new HashSet<string>();
        var any = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            eu.Add(await ServedByAsync(stack.Client, "/api/whoami", ("x-region", "eu")));
            us.Add(await ServedByAsync(stack.Client, "/api/whoami", ("x-region", "us")));
        }

        for (var i = 0; i < 6; i++)
        {
            any.Add(await ServedByAsync(stack.Client, "/api/whoami"));
        }

        Assert.Equal(["app-1"], eu);
        Assert.Equal(["app-2", "app-3"], us.Order());
        Assert.Equal(3, any.Count);
    }

    [Fact]
    public async Task StrategyApi_BadInput_IsA400ProblemAndChangesNothing_AGoodChangeIsAConfigReloadedEvent()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(1, ""));

        async Task<(HttpStatusCode Status, JsonElement Problem)> PutAsync(string service, string json)
        {
            using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var response = await stack.AdminClient.PutAsync($"/v1/services/{service}/strategy", content);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        var unknown = await PutAsync("app", "{\"strategy\":\"fastest\"}");
        var noKey = await PutAsync("app", "{\"strategy\":\"consistent-hash\"}");
        var malformed = await PutAsync("app", "{\"strategy\":");
        var unknownField = await PutAsync("app", "{\"strategy\":\"random\",\"weights\":[1]}");
        var noService = await PutAsync("nope", "{\"strategy\":\"random\"}");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.StartsWith("strategy: unknown strategy 'fastest'; known: ", unknown.Problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.Status);
        Assert.Contains("hash_key", noKey.Problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.Status);
        Assert.Equal("unknown field 'weights'", unknownField.Problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, noService.Status);
        var current = await stack.AdminJsonAsync("/v1/services/app/strategy");
        Assert.Equal("round-robin", current.GetProperty("load_balancing").GetProperty("strategy").GetString());

        // The refused changes published nothing; the accepted one is on the event stream (from its start: after=0).
        await using var events = new EventsStack.Subscription(stack.AdminClient, "?types=config.reloaded&after=0", null);
        await SetStrategyAsync(stack, new { strategy = "random" });
        await Poll.UntilAsync(() => !events.Items.IsEmpty, TimeSpan.FromSeconds(15), "the config.reloaded event");
        var reloaded = Assert.Single(events.Items);
        using var data = JsonDocument.Parse(reloaded.Data);
        Assert.Equal("config.reloaded", reloaded.EventType);
        Assert.Equal("app", data.RootElement.GetProperty("service").GetString());
        Assert.Equal("random", data.RootElement.GetProperty("details").GetProperty("strategy").GetString());
    }
}
