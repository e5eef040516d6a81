using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>Progressive delivery end to end: canary shares, header targeting, automatic analysis, promotion, blue/green.</summary>
public sealed class DeploymentTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    private static async Task<JsonElement> StatusAsync(TestStack stack) =>
        (await stack.AdminJsonAsync("/v1/services/app/deployments")).GetProperty("deployment");

    private static Task WaitForPhaseAsync(TestStack stack, string phase) =>
        Poll.UntilAsync(async () => (await StatusAsync(stack)).GetProperty("phase").GetString() == phase, s_wait, $"the deployment to be {phase}");

    private static async Task<List<string>> VersionsAsync(HttpClient client, int requests, string? header = null)
    {
        var versions = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
            if (header is not null)
            {
                request.Headers.Add("x-canary", header);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            versions.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString()!);
        }

        return versions;
    }

    private static async Task DeployAsync(TestStack stack, params string[] arguments)
    {
        var deploy = await stack.ShoalAsync(["deploy", .. arguments]);
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
    }

    [Fact]
    public async Task Canary_AtTwentyPercent_GetsItsShare_AndTheHeaderReachesItAtZero()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        await DeployAsync(stack, "canary", "app", "--version", "2.0.0", "--weight", "20");
        await WaitForPhaseAsync(stack, "progressing");
        var split = await VersionsAsync(stack.Client, 1000);

        var canaryShare = split.Count(v => v == "2.0.0") / 1000.0;
        Assert.InRange(canaryShare, 0.18, 0.22);
        Assert.Equal(1000, split.Count(v => v is "1.0.0" or "2.0.0"));

        await DeployAsync(stack, "rollback", "app", "--reason", "next test");
        await WaitForPhaseAsync(stack, "rolled_back");
        Assert.All(await VersionsAsync(stack.Client, 50), v => Assert.Equal("1.0.0", v));

        await DeployAsync(stack, "canary", "app", "--version", "2.0.0", "--weight", "0");
        await WaitForPhaseAsync(stack, "progressing");
        Assert.All(await VersionsAsync(stack.Client, 50, header: "always"), v => Assert.Equal("2.0.0", v));
        Assert.All(await VersionsAsync(stack.Client, 50), v => Assert.Equal("1.0.0", v));
    }

    [Fact]
    public async Task Canary_WithSessionAffinity_KeepsEverySessionOnOneVersionAndInstance()
    {
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(2, "load_balancing: session"));
        await DeployAsync(stack, "canary", "app", "--version", "2", "--weight", "50", "--replicas", "2");
        await WaitForPhaseAsync(stack, "progressing");

        var seen = new Dictionary<string, HashSet<string>>();
        for (var round = 0; round < 10; round++)
        {
            for (var session = 0; session < 20; session++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
                request.Headers.Add("X-Session-Id", $"s-{session}");
                using var response = await stack.Client.SendAsync(request);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                var key = $"s-{session}";
                (seen.TryGetValue(key, out var set) ? set : seen[key] = []).Add($"{body.GetProperty("version").GetString()}/{body.GetProperty("container").GetString()}");
            }
        }

        Assert.All(seen.Values, served => Assert.Single(served));
        var versions = seen.Values.Select(v => v.Single().Split('/')[0]).ToList();
        Assert.Contains("1", versions);
        Assert.Contains("2", versions);
    }

    [Fact]
    public async Task Canary_ThatFailsOneRequestInTen_IsRolledBackByTheAnalysisWithTheReason()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        var load = ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 4, TimeSpan.FromSeconds(25), during: async () =>
        {
            await DeployAsync(stack, "canary", "app", "--version", "2.0.0", "--steps", "20,50,100", "--interval", "3s",
                "--env", "FAIL_EVERY=10", "--max-error-rate", "5%", "--min-requests", "20");
            await WaitForPhaseAsync(stack, "rolled_back");
        });
        await load;

        var status = await StatusAsync(stack);
        Assert.Contains("error rate", status.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var history = status.GetProperty("history").EnumerateArray().Select(r => (Actor: r.GetProperty("actor").GetString(), Action: r.GetProperty("action").GetString(), Weight: r.GetProperty("weight").GetInt32())).ToList();
        Assert.Equal(("analysis", "rollback"), (history[^1].Actor, history[^1].Action));
        Assert.DoesNotContain(history, r => r.Action == "step" && r.Weight > 20);
        Assert.All(await VersionsAsync(stack.Client, 30), v => Assert.Equal("1.0.0", v));
        await Poll.UntilAsync(async () => (await stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray()
            .SelectMany(s => s.GetProperty("replicas").EnumerateArray()).All(r => !r.GetProperty("id").GetString()!.StartsWith("app-v", StringComparison.Ordinal)), s_wait, "the canary's replicas to stop");
    }

    [Fact]
    public async Task Canary_ThatIsHealthy_StepsOnScheduleAndIsPromoted()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 4, TimeSpan.FromSeconds(30), during: async () =>
        {
            await DeployAsync(stack, "canary", "app", "--version", "2.0.0", "--steps", "20,50,100", "--interval", "2s", "--min-requests", "10");
            await WaitForPhaseAsync(stack, "promoted");
        });

        Assert.Empty(load.Failures);
        var history = (await StatusAsync(stack)).GetProperty("history").EnumerateArray()
            .Select(r => $"{r.GetProperty("action").GetString()} {r.GetProperty("weight").GetInt32()}").ToList();
        Assert.Equal(["start 0", "step 20", "step 50", "step 100", "promote 100"], history);
        Assert.All(await VersionsAsync(stack.Client, 30), v => Assert.Equal("2.0.0", v));
        var ids = (await stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray()
            .SelectMany(s => s.GetProperty("replicas").EnumerateArray()).Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(["app-v2-0-0-1", "app-v2-0-0-2"], ids);
    }

    [Fact]
    public async Task BlueGreen_SwitchThenRollback_UnderLoad_FailsNoRequest()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        List<string> afterSwitch = [], afterRollback = [], preview = [];

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 20, TimeSpan.FromSeconds(20), during: async () =>
        {
            await DeployAsync(stack, "blue-green", "app", "--version", "2.0.0");
            await WaitForPhaseAsync(stack, "ready");
            preview = await VersionsAsync(stack.Client, 20, header: "always");
            await DeployAsync(stack, "switch", "app");
            afterSwitch = await VersionsAsync(stack.Client, 100);
            await DeployAsync(stack, "rollback", "app");
            afterRollback = await VersionsAsync(stack.Client, 100);
        });

        Assert.Empty(load.Failures);
        Assert.All(preview, v => Assert.Equal("2.0.0", v));
        Assert.All(afterSwitch, v => Assert.Equal("2.0.0", v));
        Assert.All(afterRollback, v => Assert.Equal("1.0.0", v));
        Assert.Equal("rolled_back", (await StatusAsync(stack)).GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Canary_ThatIsSlow_IsRolledBackOnItsP99()
    {
        // The analysis settings come from the stack file's deploy: section.
        await using var stack = await TestStack.StartAsync(Stacks.WithSettings(2, "deploy: { steps: [20, 50, 100], interval: 3s, max_p99: 100ms, min_requests: 10 }"));

        await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 4, TimeSpan.FromSeconds(20), during: async () =>
        {
            await DeployAsync(stack, "canary", "app", "--version", "2", "--env", "LATENCY_MS=250");
            await WaitForPhaseAsync(stack, "rolled_back");
        });

        var reason = (await StatusAsync(stack)).GetProperty("reason").GetString();
        Assert.StartsWith("p99 ", reason, StringComparison.Ordinal);
        Assert.Contains("above 100 ms", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rolling_ThreeReplicasUnderLoad_FailsNoRequest_AndNeverHasFewerThanThreeHealthy()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 3));
        var fewestHealthy = int.MaxValue;

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 20, TimeSpan.FromSeconds(40), during: async () =>
        {
            await DeployAsync(stack, "rolling", "app", "--version", "2.0.0");
            await Poll.UntilAsync(async () =>
            {
                var replicas = (await stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray().SelectMany(s => s.GetProperty("replicas").EnumerateArray()).ToList();
                fewestHealthy = Math.Min(fewestHealthy, replicas.Count(r => r.GetProperty("state").GetString() == "healthy"));
                return (await StatusAsync(stack)).GetProperty("phase").GetString() == "promoted";
            }, s_wait, "the rolling update to finish");
        });

        Assert.Empty(load.Failures);
        Assert.True(fewestHealthy >= 3, $"only {fewestHealthy} replicas were healthy at one point");
        Assert.All(await VersionsAsync(stack.Client, 30), v => Assert.Equal("2.0.0", v));
        var steps = (await StatusAsync(stack)).GetProperty("history").EnumerateArray().Where(r => r.GetProperty("action").GetString() == "step").Select(r => r.GetProperty("reason").GetString());
        Assert.Equal(["1 of 3 replicas replaced", "2 of 3 replicas replaced", "3 of 3 replicas replaced"], steps);
    }

    [Fact]
    public async Task Rolling_WithMaxUnavailable_NeverDropsBelowCountMinusIt_AndStartsNoExtraReplica()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 3));
        var fewestHealthy = int.MaxValue;
        var most = 0;

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 10, TimeSpan.FromSeconds(40), during: async () =>
        {
            await DeployAsync(stack, "rolling", "app", "--version", "2.0.0", "--max-surge", "0", "--max-unavailable", "1");
            await Poll.UntilAsync(async () =>
            {
                var replicas = (await stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray().SelectMany(s => s.GetProperty("replicas").EnumerateArray()).ToList();
                fewestHealthy = Math.Min(fewestHealthy, replicas.Count(r => r.GetProperty("state").GetString() == "healthy"));
                most = Math.Max(most, replicas.Count(r => r.GetProperty("state").GetString() is "healthy" or "starting"));
                return (await StatusAsync(stack)).GetProperty("phase").GetString() == "promoted";
            }, s_wait, "the rolling update to finish");
        });

        Assert.Empty(load.Failures);
        Assert.True(fewestHealthy >= 2, $"only {fewestHealthy} replicas were healthy at one point");
        Assert.True(most <= 3, $"{most} replicas ran at once with max_surge 0");
        Assert.All(await VersionsAsync(stack.Client, 30), v => Assert.Equal("2.0.0", v));
    }

    [Fact]
    public async Task Drain_LongRequestsInFlightOnAReplicaBeingRemoved_CompleteWith200()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        // Round robin spreads four 5-second requests over both replicas; app-2 is then scaled away under them.
        var slow = Enumerable.Range(0, 4).Select(_ => stack.Client.GetAsync("/api/slow?ms=5000")).ToList();
        await Poll.UntilAsync(async () => (await stack.AdminJsonAsync("/v1/gateway")).GetProperty("services")[0].GetProperty("destinations").EnumerateArray()
            .All(d => d.GetProperty("in_flight").GetInt32() == 2), s_wait, "two slow requests in flight on each replica");
        var scale = await stack.ShoalAsync("scale", "app=1");

        var responses = await Task.WhenAll(slow);
        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, responses.Count(r => r.Headers.GetValues("x-shoal-instance").Single() == "app-2"));
        Assert.All(await VersionsAsync(stack.Client, 10), v => Assert.Equal("1.0.0", v));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task Deployments_SurviveKillNineOfTheGateway_ACanaryResumesAndAPromotedVersionKeepsRunning()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        await DeployAsync(stack, "canary", "app", "--version", "2.0.0", "--weight", "20");
        await WaitForPhaseAsync(stack, "progressing");
        var before = await StatusAsync(stack);

        await RestartAfterKillNineAsync(stack);

        await WaitForPhaseAsync(stack, "progressing");
        var after = await StatusAsync(stack);
        Assert.Equal(before.GetProperty("started_at").GetString(), after.GetProperty("started_at").GetString());
        var history = after.GetProperty("history").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        Assert.Equal(["start", "step", "restore", "resume"], history);
        var split = await VersionsAsync(stack.Client, 200);
        Assert.Equal(40, split.Count(v => v == "2.0.0"));

        await DeployAsync(stack, "promote", "app");
        await WaitForPhaseAsync(stack, "promoted");
        await RestartAfterKillNineAsync(stack);

        Assert.Equal("promoted", (await StatusAsync(stack)).GetProperty("phase").GetString());
        Assert.All(await VersionsAsync(stack.Client, 20), v => Assert.Equal("2.0.0", v));
    }

    private static async Task RestartAfterKillNineAsync(TestStack stack)
    {
        ProcessUtil.Kill(stack.RecordedPids()["shoal"]);
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await stack.AdminClient.GetStringAsync("/healthz");
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        }, s_wait, "the gateway to die");
        var up = await stack.ShoalAsync("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
    }

    [Fact]
    public async Task BadOperations_Are4xxProblems_AndChangeNothing()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 1));

        async Task<(HttpStatusCode Status, string Detail)> PostAsync(string path, object? body)
        {
            using var response = body is null ? await stack.AdminClient.PostAsync(path, null) : await stack.AdminClient.PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!);
        }

        var promote = await PostAsync("/v1/services/app/deployments/promote", null);
        var heavy = await PostAsync("/v1/services/app/deployments", new { type = "canary", version = "2.0.0", weight = 150 });
        var same = await PostAsync("/v1/services/app/deployments", new { type = "canary", version = "1.0.0" });
        var unknownService = await PostAsync("/v1/services/nope/deployments", new { type = "canary", version = "2.0.0" });
        var unknownField = await PostAsync("/v1/services/app/deployments", new { type = "canary", version = "2.0.0", colour = "red" });
        var descending = await PostAsync("/v1/services/app/deployments", new { type = "canary", version = "2.0.0", steps = new[] { 50, 20 } });
        var cli = await stack.ShoalAsync("deploy", "promote", "app");

        Assert.Equal((HttpStatusCode.Conflict, "No deployment of 'app' is in progress to promote."), promote);
        Assert.Equal(HttpStatusCode.BadRequest, heavy.Status);
        Assert.Contains("weight: 150", heavy.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, same.Status);
        Assert.Contains("already the stable version", same.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownService.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "unknown field 'colour'"), unknownField);
        Assert.Equal(HttpStatusCode.BadRequest, descending.Status);
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("409", cli.Stderr, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await StatusAsync(stack)).ValueKind);
    }
}
