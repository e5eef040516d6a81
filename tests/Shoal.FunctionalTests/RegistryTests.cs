using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>The registry end to end: external instances joining over HTTP, TTLs, watches, persistence, bad input, etcd.</summary>
[Collection(TimedCollection.Name)]
public sealed class RegistryTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>A stack whose only service runs elsewhere: its instances come from the registry.</summary>
    private static string ExternalOnly(string extra = "") => $$"""
        name: reg
        gateway:
          listen: %gateway%
          admin: %admin%
        {{extra}}
        services:
          app:
            external: true
            routes: ["/api/**"]
        """;

    private static async Task<HttpResponseMessage> PutAsync(HttpClient admin, string path, string json, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await admin.SendAsync(request);
    }

    private static async Task RegisterAsync(HttpClient admin, string id, int port, string more = "")
    {
        using var response = await PutAsync(admin, $"/v1/services/app/instances/{id}", $$"""{"address":"127.0.0.1","port":{{port}}{{more}}}""");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<string>> ServedByAsync(HttpClient client, int requests)
    {
        var served = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.GetAsync("/api/whoami");
            if (response.IsSuccessStatusCode)
            {
                served.Add(response.Headers.GetValues("x-shoal-instance").Single());
            }
        }

        return served;
    }

    [Fact]
    public async Task ExternalInstance_WithTtlAndHeartbeats_TakesTrafficAndLeavesWithinTtlPlusOneSecondOfItsLastHeartbeat()
    {
        // Outside instances join an external service only: ext-0 stays, ext-1 comes and goes.
        await using var stack = await TestStack.StartAsync(ExternalOnly());
        var stayingPort = FreePort.Next();
        await using var staying = BackgroundProcess.SampleApp("ext-0", stayingPort);
        await Poll.UntilAsync(async () => await TryGetAsync($"http://127.0.0.1:{stayingPort}/api/health"), s_wait, "the staying app to listen");
        await RegisterAsync(stack.AdminClient, "ext-0", stayingPort);
        var port = FreePort.Next();
        await using var external = BackgroundProcess.SampleApp("ext-1", port);
        await Poll.UntilAsync(async () => await TryGetAsync($"http://127.0.0.1:{port}/api/health"), s_wait, "the external app to listen");
        await using var watch = await BackgroundProcess.ShoalAsync("registry", "watch", "app", "--json", "--file", stack.FilePath);
        await Poll.UntilAsync(() => watch.Lines.Any(l => l.StartsWith("watching", StringComparison.Ordinal)), s_wait, "the watch to start");

        await using var heartbeats = await BackgroundProcess.ShoalAsync("registry", "register", "app", "ext-1", "--port", $"{port}", "--ttl", "3s", "--heartbeat", "--file", stack.FilePath);
        await Poll.UntilAsync(async () => (await ServedByAsync(stack.Client, 4)).Contains("ext-1"), s_wait, "ext-1 to take traffic");

        // Let a few heartbeats pass: the instance must stay in rotation well past its TTL while they come.
        var steady = Stopwatch.StartNew();
        var servedWhileRenewed = new List<string>();
        while (steady.Elapsed < TimeSpan.FromSeconds(5))
        {
            servedWhileRenewed.AddRange(await ServedByAsync(stack.Client, 10));
        }

        Assert.Contains("ext-1", servedWhileRenewed.TakeLast(10));
        Assert.DoesNotContain(watch.Lines, l => l.Contains("\"type\":\"health\"", StringComparison.Ordinal));

        await heartbeats.KillAsync();
        var lastHeartbeatAtMost = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => !(await ServedByAsync(stack.Client, 10)).Contains("ext-1"), s_wait, "ext-1 to leave rotation");
        var gone = lastHeartbeatAtMost.Elapsed;

        // Heartbeats go out every TTL/3, so the last one was at most 1 s before the kill: expiry is due ≤ 3 s after it.
        Assert.True(gone <= TimeSpan.FromSeconds(4), $"ext-1 still took traffic {gone.TotalSeconds:F1} s after its heartbeats stopped (TTL 3 s)");
        Assert.All(await ServedByAsync(stack.Client, 20), id => Assert.Equal("ext-0", id));
        await Poll.UntilAsync(() => watch.Lines.Count(l => l.StartsWith('{')) >= 2, s_wait, "two watch events");
        var events = watch.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("id").GetString() == "ext-1").ToList();
        Assert.Equal(["registered", "health"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("critical", events[1].GetProperty("instance").GetProperty("health").GetString());
        Assert.True(events[0].GetProperty("index").GetInt64() < events[1].GetProperty("index").GetInt64());
    }

    [Fact]
    public async Task Watch_ReconnectingWithItsLastIndex_ReceivesExactlyTheFiveChangesItMissed()
    {
        await using var stack = await TestStack.StartAsync(ExternalOnly());
        var start = (await stack.AdminJsonAsync("/v1/services/app")).GetProperty("index").GetInt64();

        long last;
        using (var first = await OpenWatchAsync(stack.AdminClient, start))
        {
            await RegisterAsync(stack.AdminClient, "x-1", 5001);
            var registered = await first.NextAsync();
            Assert.Equal("registered", registered.GetProperty("type").GetString());
            last = registered.GetProperty("index").GetInt64();
        }

        for (var weight = 2; weight <= 6; weight++)
        {
            await RegisterAsync(stack.AdminClient, "x-1", 5001, $",\"weight\":{weight}");
        }

        using var resumed = await OpenWatchAsync(stack.AdminClient, last);
        var missed = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            missed.Add(await resumed.NextAsync());
        }

        Assert.Equal([2, 3, 4, 5, 6], missed.Select(e => e.GetProperty("instance").GetProperty("weight").GetInt32()));
        Assert.All(missed, e => Assert.Equal("updated", e.GetProperty("type").GetString()));
        Assert.True(missed.Select(e => e.GetProperty("index").GetInt64()).SequenceEqual(missed.Select(e => e.GetProperty("index").GetInt64()).Order()) && missed[0].GetProperty("index").GetInt64() > last);

        // The next event is the next change, not a repeat.
        using (await stack.AdminClient.DeleteAsync("/v1/services/app/instances/x-1"))
        {
        }

        Assert.Equal("deregistered", (await resumed.NextAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task HundredInstances_SurviveKillNineOfTheGateway()
    {
        var stack = await TestStack.StartAsync(ExternalOnly());
        await using var _ = stack;
        for (var i = 1; i <= 100; i++)
        {
            await RegisterAsync(stack.AdminClient, $"x-{i}", 20_000 + i);
        }

        ProcessUtil.Kill(stack.RecordedPids()["shoal"]);
        await Poll.UntilAsync(async () => !await TryGetAsync(new Uri(stack.Admin, "/healthz").ToString()), s_wait, "the gateway to die");

        var up = await stack.ShoalAsync("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        var service = await stack.AdminJsonAsync("/v1/services/app");
        var ids = service.GetProperty("instances").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToHashSet();
        Assert.Equal(100, ids.Count);
        Assert.Contains("x-100", ids);
    }

    [Fact]
    public async Task BadRegistrations_Are4xxProblems_AndStoreNothing()
    {
        await using var stack = await TestStack.StartAsync(ExternalOnly());
        var cases = new (string Path, string Body, HttpStatusCode Status, string Detail)[]
        {
            ("/v1/services/app/instances/a-1", "{\"port\": 5000,", HttpStatusCode.BadRequest, "not valid JSON"),
            ("/v1/services/app/instances/a-1", "{\"port\": 0}", HttpStatusCode.BadRequest, "port: 0"),
            ("/v1/services/app/instances/a-1", "{\"port\": 70000}", HttpStatusCode.BadRequest, "port: 70000"),
            ("/v1/services/app/instances/a-1", "{\"port\": 5000, \"ttl\": \"-1s\"}", HttpStatusCode.BadRequest, "ttl"),
            ("/v1/services/app/instances/a-1", "{\"port\": 5000, \"colour\": 1}", HttpStatusCode.BadRequest, "unknown field 'colour'"),
            ("/v1/services/app/instances/a/b", "{\"port\": 5000}", HttpStatusCode.BadRequest, "contains '/'"),
            ("/v1/services/app/instances/a%2Fb", "{\"port\": 5000}", HttpStatusCode.BadRequest, "contains '/'"),
            ("/v1/services/App/instances/a-1", "{\"port\": 5000}", HttpStatusCode.BadRequest, "service"),
            ("/v1/services/app/instances/a-1", "{\"port\": 5000, \"metadata\": {\"x\": \"" + new string('x', 1024 * 1024) + "\"}}", HttpStatusCode.RequestEntityTooLarge, "at most"),
        };

        foreach (var (path, body, status, detail) in cases)
        {
            using var response = await PutAsync(stack.AdminClient, path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{path} {body[..Math.Min(60, body.Length)]}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(detail, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }

        var services = await stack.AdminJsonAsync("/v1/services");
        Assert.Equal(0, services.GetProperty("services").GetArrayLength());
    }

    [Fact]
    public async Task AdminOffLoopback_RefusesToStartWithoutAToken_AndRequiresItForChanges()
    {
        var adminPort = FreePort.Next();
        var open = TestStack.Create(ExternalOnly().Replace("admin: %admin%", $"admin: http://0.0.0.0:{adminPort}", StringComparison.Ordinal));
        await using (open)
        {
            var refused = await open.ShoalAsync("up", "-d");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("gateway.admin", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("admin_token", refused.Stderr, StringComparison.Ordinal);
        }

        const string token = "s3cret-token-for-tests";
        var guardedPort = FreePort.Next();
        await using var stack = await TestStack.StartAsync(ExternalOnly($"  admin_token: {token}").Replace("admin: %admin%", $"admin: http://0.0.0.0:{guardedPort}", StringComparison.Ordinal));
        using var admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{guardedPort}") };

        using var anonymous = await PutAsync(admin, "/v1/services/app/instances/a-1", "{\"port\": 5000}");
        using var wrong = await PutAsync(admin, "/v1/services/app/instances/a-1", "{\"port\": 5000}", "not-the-token");
        using var allowed = await PutAsync(admin, "/v1/services/app/instances/a-1", "{\"port\": 5000}", token);
        using var anonymousRead = await admin.GetAsync("/v1/services/app");
        using var readRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/services/app") { Headers = { Authorization = new("Bearer", token) } };
        using var read = await admin.SendAsync(readRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousRead.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Single(JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("instances").EnumerateArray());
    }

    [Fact]
    public async Task Etcd_TwoGatewaysShareTheRegistry_AndKeepWorkingWhenAMemberDies()
    {
        await using var etcd = await EtcdCluster.StartAsync(size: 3);
        var registry = $"registry:\n  store: {etcd.StoreAddress("/shoal-e2e")}";
        await using var a = await TestStack.StartAsync(ExternalOnly(registry).Replace("name: reg", "name: reg-a", StringComparison.Ordinal));
        var b = TestStack.Create(ExternalOnly(registry).Replace("name: reg", "name: reg-b", StringComparison.Ordinal));
        await using (b)
        {
            var upB = await b.ShoalAsync("up", "-d");
            Assert.True(upB.ExitCode == 0, upB.ToString());

            var port1 = FreePort.Next();
            await using var ext1 = BackgroundProcess.SampleApp("ext-1", port1);
            await Poll.UntilAsync(async () => await TryGetAsync($"http://127.0.0.1:{port1}/api/health"), s_wait, "ext-1 to listen");
            await RegisterAsync(a.AdminClient, "ext-1", port1);
            await Poll.UntilAsync(async () => (await ServedByAsync(b.Client, 2)).Contains("ext-1"), s_wait, "gateway B to route to ext-1 registered through A");

            await etcd.KillAsync(0);

            // The sample app registers itself through A (the registry client, with heartbeats) while one member is down.
            var port2 = FreePort.Next();
            await using var ext2 = BackgroundProcess.SampleApp("ext-2", port2, new Dictionary<string, string> { ["SHOAL_REGISTRY_URL"] = a.Admin.ToString(), ["SHOAL_ADMIN_TOKEN"] = a.Token! });
            await Poll.UntilAsync(async () => (await ServedByAsync(b.Client, 6)).Contains("ext-2"), s_wait, "gateway B to route to ext-2 after a member died");
            var listing = await b.AdminJsonAsync("/v1/services/app");
            Assert.Equal(["ext-1", "ext-2"], listing.GetProperty("instances").EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order());
            Assert.Equal(["ext-1", "ext-2"], (await ServedByAsync(b.Client, 20)).Distinct().Order());
        }
    }

    [Fact]
    public async Task Etcd_TwoStacksWithTheSameService_SeeAllFourReplicas_AndDownRemovesOnlyItsOwn()
    {
        await using var etcd = await EtcdCluster.StartAsync(size: 1);
        string Stack(string name) => Stacks.SampleApp(replicas: 2).Replace("name: e2e", $"name: {name}", StringComparison.Ordinal)
            + $"\nregistry:\n  store: {etcd.StoreAddress("/shoal-shared")}\n";
        await using var a = await TestStack.StartAsync(Stack("shop-a"));
        await using var b = await TestStack.StartAsync(Stack("shop-b"));

        var host = Environment.MachineName;
        string[] all = [$"app-1@shop-a.{host}", $"app-1@shop-b.{host}", $"app-2@shop-a.{host}", $"app-2@shop-b.{host}"];
        async Task<List<string>> ListedAsync(TestStack stack) =>
            [.. (await stack.AdminJsonAsync("/v1/services/app")).GetProperty("instances").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
        await Poll.UntilAsync(async () => (await ListedAsync(a)).SequenceEqual(all) && (await ListedAsync(b)).SequenceEqual(all), s_wait, "both gateways to list the four replicas");

        // Each gateway sends traffic to all four, its own and the other stack's.
        foreach (var stack in new[] { a, b })
        {
            await Poll.UntilAsync(async () => (await ServedByAsync(stack.Client, 8)).Distinct().Order(StringComparer.Ordinal).SequenceEqual(all), s_wait, $"gateway {stack.GatewayPort} to route to all four");
        }

        // Locally the replicas keep their plain ids.
        Assert.Equal(["app-1", "app-2"], a.RecordedPids().Keys.Where(k => k != "shoal").Order(StringComparer.Ordinal));

        var down = await b.ShoalAsync("down");
        Assert.True(down.ExitCode == 0, down.ToString());
        string[] onlyA = [$"app-1@shop-a.{host}", $"app-2@shop-a.{host}"];
        await Poll.UntilAsync(async () => (await ListedAsync(a)).SequenceEqual(onlyA), s_wait, "A to list only its own two after B's down");
        Assert.Equal(onlyA, (await ServedByAsync(a.Client, 8)).Distinct().Order(StringComparer.Ordinal));
    }

    private static async Task<bool> TryGetAsync(string url)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
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

    private static async Task<SseReader> OpenWatchAsync(HttpClient admin, long index)
    {
        var response = await admin.GetAsync($"/v1/services/app/watch?index={index}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private sealed class SseReader(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<JsonElement> NextAsync()
        {
            using var timeout = new CancellationTokenSource(s_wait);
            string? data = null;
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data = line[5..].Trim();
                }
                else if (line.Length == 0 && data is not null)
                {
                    return JsonDocument.Parse(data).RootElement.Clone();
                }
            }

            throw new InvalidOperationException("the event stream ended");
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
