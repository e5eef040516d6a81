using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>The foundation, end to end: <c>./shoal up -d</c>, the gateway, failover, scaling and <c>down</c>.</summary>
public sealed class StackTests
{
    [Fact]
    public async Task Whoami_HundredSequentialRequests_SplitFiftyFifty()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 100; i++)
        {
            var whoami = await stack.Client.GetFromJsonAsync<JsonElement>("/api/whoami");
            var container = whoami.GetProperty("container").GetString()!;
            counts[container] = counts.GetValueOrDefault(container) + 1;
        }

        Assert.Equal(new Dictionary<string, int> { ["app-1"] = 50, ["app-2"] = 50 }, counts);
    }

    [Fact]
    public async Task Session_TenCallsWithOneId_SeenCountsAddUpToTen()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        var seenByInstance = new Dictionary<string, int>();
        for (var n = 1; n <= 10; n++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { clientId = "test", requestNum = n }) };
            request.Headers.Add("X-Session-Id", "session-42");
            using var response = await stack.Client.SendAsync(request);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(n, body.GetProperty("requestNum").GetInt32());
            Assert.Equal("session-42", body.GetProperty("sessionId").GetString());
            var container = body.GetProperty("container").GetString()!;
            seenByInstance[container] = body.GetProperty("seen").GetInt32();
            Assert.Equal(container, response.Headers.GetValues("x-shoal-instance").Single());
        }

        Assert.Equal(10, seenByInstance.Values.Sum());
    }

    [Fact]
    public async Task KillReplica_UnderTenClients_NoRequestFailsAndItRejoins()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        var victim = stack.RecordedPids()["app-1"];

        var load = await ClientLoad.RunAsync(stack.Gateway, "/api/whoami", clients: 10, TimeSpan.FromSeconds(5), during: async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            ProcessUtil.Signal(victim, "-9");
        });

        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} failed requests, e.g. {string.Join(" | ", load.Failures.Take(3))}");
        Assert.True(load.Succeeded > 100, $"only {load.Succeeded} requests succeeded");
        Assert.False(ProcessUtil.IsAlive(victim));

        // The supervisor restarts app-1 under a new pid, and the gateway sends it traffic again.
        await Poll.UntilAsync(() => stack.RecordedPids().TryGetValue("app-1", out var pid) && pid != victim && ProcessUtil.IsAlive(pid), TimeSpan.FromSeconds(30), "app-1 to be restarted");
        var served = new HashSet<string>();
        await Poll.UntilAsync(async () =>
        {
            served.Add(await stack.ServedByAsync());
            return served.Contains("app-1") && served.Contains("app-2");
        }, TimeSpan.FromSeconds(30), "the restarted app-1 to take requests again");

        var ps = await stack.ShoalAsync("ps", "--json");
        using var doc = JsonDocument.Parse(ps.Stdout);
        var app1 = doc.RootElement.GetProperty("services")[0].GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "app-1");
        Assert.Equal(1, app1.GetProperty("restarts").GetInt32());
        Assert.Equal("healthy", app1.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Scale_UpToFourThenDownToOne_TrafficFollows()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        var before = stack.RecordedPids();

        var up = await stack.ShoalAsync("scale", "app=4");
        Assert.True(up.ExitCode == 0, up.ToString());
        var served = new Dictionary<string, int>();
        for (var i = 0; i < 100; i++)
        {
            var instance = await stack.ServedByAsync();
            served[instance] = served.GetValueOrDefault(instance) + 1;
        }

        Assert.Equal(["app-1", "app-2", "app-3", "app-4"], served.Keys.Order());
        Assert.All(served.Values, n => Assert.Equal(25, n));

        // Scaling did not restart the replicas that were already there.
        var during = stack.RecordedPids();
        Assert.Equal(before["app-1"], during["app-1"]);
        Assert.Equal(before["app-2"], during["app-2"]);

        var down = await stack.ShoalAsync("scale", "app=1");
        Assert.True(down.ExitCode == 0, down.ToString());
        foreach (var id in new[] { "app-2", "app-3", "app-4" })
        {
            Assert.False(ProcessUtil.IsAlive(during[id]), $"{id} (pid {during[id]}) is still alive after scale app=1");
        }

        Assert.Equal(["app-1"], stack.RecordedPids().Keys.Where(k => k != "shoal"));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("app-1", await stack.ServedByAsync());
        }
    }

    [Fact]
    public async Task Logs_PrintsEachReplicaPrefixed_FiltersAndTails_AndFollowsANewReplica()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));

        var all = await stack.ShoalAsync("logs");
        Assert.True(all.ExitCode == 0, all.ToString());
        var lines = all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("app-1 | app-1 (version 1.0.0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("app-2 | app-2 (version 1.0.0", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Matches("^app-[12] \\| ", l));

        // The last line of each replica only.
        var tail = await stack.ShoalAsync("logs", "app", "-n", "1");
        Assert.True(tail.ExitCode == 0, tail.ToString());
        Assert.Equal(["app-1", "app-2"], tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)]));

        var other = await stack.ShoalAsync("logs", "nothing-by-this-name");
        Assert.True(other.ExitCode == 0 && other.Stdout.Length == 0, other.ToString());

        // Following: a replica started afterwards shows up with its first lines.
        await using var follow = await BackgroundProcess.ShoalAsync("logs", "-f", "--file", stack.FilePath);
        await Poll.UntilAsync(() => follow.Lines.Any(l => l.StartsWith("app-2 | ", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "logs -f printing what is there");
        var scale = await stack.ShoalAsync("scale", "app=3");
        Assert.True(scale.ExitCode == 0, scale.ToString());
        await Poll.UntilAsync(() => follow.Lines.Any(l => l.StartsWith("app-3 | app-3 (version 1.0.0", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "logs -f printing app-3's start");
    }

    [Fact]
    public async Task Down_StopsEveryProcessItStarted()
    {
        var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 3));
        await using var _ = stack;
        var pids = stack.RecordedPids();
        Assert.Equal(4, pids.Count);
        Assert.All(pids.Values, pid => Assert.True(ProcessUtil.IsAlive(pid)));

        var down = await stack.ShoalAsync("down");

        Assert.True(down.ExitCode == 0, down.ToString());
        foreach (var (id, pid) in pids)
        {
            Assert.False(ProcessUtil.IsAlive(pid), $"{id} (pid {pid}) is still alive after down");
        }

        Assert.False(File.Exists(Path.Combine(stack.Directory, ".shoal", "state.json")));
        var ps = await stack.ShoalAsync("ps");
        Assert.NotEqual(0, ps.ExitCode);
    }

    [Fact]
    public async Task Down_AfterTheDaemonWasKilled_StopsTheOrphansByPid()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        var pids = stack.RecordedPids();
        ProcessUtil.Signal(pids["shoal"], "-9");
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(pids["shoal"]), TimeSpan.FromSeconds(10), "the daemon to die");
        Assert.True(ProcessUtil.IsAlive(pids["app-1"]));

        var down = await stack.ShoalAsync("down");

        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains("orphaned", down.Stdout, StringComparison.Ordinal);
        Assert.All(pids.Values, pid => Assert.False(ProcessUtil.IsAlive(pid)));
    }

    [Fact]
    public async Task Up_WhenAlreadyRunning_RefusesWithTheReason()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 1));

        var again = await stack.ShoalAsync("up", "-d");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already running", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_ServiceThatCrashLoops_FailsWithTheReasonAndLeavesNothing()
    {
        var stack = TestStack.Create("""
            gateway:
              listen: %gateway%
              admin: %admin%
            services:
              broken:
                command: [sh, -c, "echo boom; exit 3"]
                restart: { policy: on-failure, backoff: 10ms, max_restarts: 2 }
            """);
        await using var _ = stack;

        var up = await stack.ShoalAsync("up", "-d");

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("service 'broken' failed", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("crash loop", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("boom", up.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stack.Directory, ".shoal", "state.json")));
    }

    [Fact]
    public async Task DependsOn_Healthy_StartsTheDependentOnlyOnceItsDependencyIsHealthy()
    {
        // api listens only 1.5 s after it starts: web must not start before that.
        await using var stack = await TestStack.StartAsync("""
            gateway:
              listen: %gateway%
              admin: %admin%
            services:
              web:
                command: [dotnet, "%sample%"]
                port: auto
                health: /api/health
                depends_on:
                  api: { condition: healthy }
                routes: ["/api/**"]
              api:
                command: [sh, -c, "sleep 1.5; exec dotnet '%sample%'"]
                port: auto
                health: /api/health
            """);

        var stackJson = await stack.AdminJsonAsync("/v1/stack");
        var started = stackJson.GetProperty("services").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("replicas")[0].GetProperty("started_at").GetDateTimeOffset());

        var gap = started["web"] - started["api"];
        Assert.True(gap >= TimeSpan.FromSeconds(1.4), $"web started {gap.TotalMilliseconds:0} ms after api");
        Assert.Equal("web-1", await stack.ServedByAsync());
    }
}
