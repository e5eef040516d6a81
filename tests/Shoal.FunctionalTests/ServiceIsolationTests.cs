using System.Globalization;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// A service's resource limits, user and runtime through the real <c>./shoal</c> and the machine's cgroups: a memory
/// hog is OOM-killed, reported and replaced; a busy loop gets its quarter CPU; a fork bomb stops at its pids; a
/// service runs as the user it names; a runtime that cannot run here fails <c>up</c> with the service and field.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed class ServiceIsolationTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);

    /// <summary>One service <c>svc</c> with <paramref name="settings"/> (indented under it).</summary>
    private static string OneService(string settings) => $$"""
        name: isolation
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          svc:
        {{string.Join("\n", settings.Split('\n').Where(l => l.Length > 0).Select(l => "    " + l))}}
        """;

    private static async Task<JsonElement> ReplicaAsync(TestStack stack, string id = "svc-1")
    {
        var ps = await stack.ShoalAsync("ps", "--json");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        using var json = JsonDocument.Parse(ps.Stdout);
        return json.RootElement.GetProperty("services").EnumerateArray()
            .SelectMany(s => s.GetProperty("replicas").EnumerateArray())
            .Single(r => r.GetProperty("id").GetString() == id).Clone();
    }

    private static double CpuSecondsOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    [Fact]
    public async Task CpuPercent_RightAfterStart_IsNotTheFirstTickOverMicroseconds()
    {
        // The first reading comes a few microseconds after the start: dividing the start-up's CPU by that was shown as
        // millions of per cent until the next reading. A replica never uses more than every core of the machine.
        await using var stack = await TestStack.StartAsync(OneService("""
            command: [sh, -c, "i=0; while [ $$i -lt 20000 ]; do i=$$((i+1)); done; exec sleep 600"]
            resources: { memory: 64M }
            """));

        var replica = await ReplicaAsync(stack);

        Assert.True(replica.TryGetProperty("usage", out var usage), replica.ToString());
        Assert.InRange(usage.GetProperty("cpu_percent").GetDouble(), 0, 100.0 * Environment.ProcessorCount);
    }

    [Fact]
    public async Task MemoryHog_OverItsLimit_IsOomKilledReportedInPsAndTheLog_AndReplaced()
    {
        // Running for a second makes it healthy (so `up -d` returns); then `tail` buffers /dev/zero, which has no line end, without bound.
        await using var stack = await TestStack.StartAsync(OneService("""
            command: [sh, -c, "sleep 2; exec tail /dev/zero"]
            resources: { memory: 64M }
            restart: { backoff: 500ms, max_restarts: 50 }
            """));

        JsonElement replica = default;
        await Poll.UntilAsync(async () =>
        {
            replica = await ReplicaAsync(stack);
            return replica.GetProperty("oom_kills").GetInt32() >= 1 && replica.GetProperty("restarts").GetInt32() >= 1;
        }, s_wait, "svc-1 OOM-killed and restarted");

        Assert.Equal(64L << 20, replica.GetProperty("limits").GetProperty("memory_bytes").GetInt64());
        Assert.Equal("process", replica.GetProperty("runtime").GetString());
        Assert.Equal("oom-killed", replica.GetProperty("last_exit_reason").GetString());
        Assert.Equal(137, replica.GetProperty("last_exit_code").GetInt32());
        var log = await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "shoal.log"));
        Assert.Contains("svc-1 was killed at its memory limit (64 MiB)", log, StringComparison.Ordinal);

        // Replaced as a crash would be: it runs again, and the table says what happened.
        await Poll.UntilAsync(async () => (await ReplicaAsync(stack)).TryGetProperty("pid", out _), s_wait, "svc-1 running again");
        var table = await stack.ShoalAsync("ps");
        Assert.Contains("OOM", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("64M", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BusyLoop_LimitedToAQuarterCpu_GetsAQuarterOverFourSeconds()
    {
        await using var stack = await TestStack.StartAsync(OneService("""
            command: [sh, -c, "while :; do :; done"]
            resources: { cpus: 0.25 }
            """));
        var pid = (await ReplicaAsync(stack)).GetProperty("pid").GetInt32();

        var before = CpuSecondsOf(pid);
        var started = TimeProvider.System.GetTimestamp();
        await Poll.UntilAsync(() => TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(10), "four seconds");
        var share = (CpuSecondsOf(pid) - before) / TimeProvider.System.GetElapsedTime(started).TotalSeconds;

        Assert.InRange(share, 0.20, 0.30);
        var replica = await ReplicaAsync(stack);
        Assert.Equal(0.25, replica.GetProperty("limits").GetProperty("cpus").GetDouble());
        Assert.InRange(replica.GetProperty("usage").GetProperty("cpu_percent").GetDouble(), 15, 35);
    }

    [Fact]
    public async Task ForkBomb_StopsAtItsPidsLimit()
    {
        // A hundred sleepers, each a task: the kernel refuses the forks past the limit, and the shell keeps waiting.
        await using var stack = await TestStack.StartAsync(OneService("""
            command: [bash, -c, "for i in $(seq 100); do sleep 600 & done 2>/dev/null; wait"]
            resources: { pids: 32 }
            """));

        var peak = 0;
        await Poll.UntilAsync(async () =>
        {
            var replica = await ReplicaAsync(stack);
            var pids = replica.TryGetProperty("usage", out var usage) ? usage.GetProperty("pids").GetInt32() : 0;
            peak = Math.Max(peak, pids);
            return pids == 32;
        }, s_wait, "svc-1 at 32 tasks");

        Assert.Equal(32, peak);
        Assert.Equal(32, (await ReplicaAsync(stack)).GetProperty("limits").GetProperty("pids").GetInt32());
    }

    [Fact]
    public async Task UserNobody_RunsAsUid65534()
    {
        // The test's directory is private to root: the service works in one nobody may enter.
        await using var stack = await TestStack.StartAsync(OneService("""
            command: [sleep, "600"]
            user: nobody
            working_dir: /tmp
            """));
        var replica = await ReplicaAsync(stack);
        var pid = replica.GetProperty("pid").GetInt32();

        var uid = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.Equal(["65534", "65534", "65534", "65534"], uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..]);
        Assert.Equal("nobody", replica.GetProperty("user").GetString());
    }

    [Fact]
    public async Task UnknownUser_UpFailsNamingTheServiceAndField()
    {
        await using var stack = TestStack.Create(OneService("""
            command: [sleep, "600"]
            user: no-such-user-here
            """));

        var up = await stack.ShoalAsync("up", "-d");

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("shoal.yml:8:11: services.svc.user: user 'no-such-user-here' does not exist on this machine", up.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuntimeThatCannotRunHere_UpFailsWithItsMessage_NamingTheServiceAndField()
    {
        // No Docker engine runs on the test machines (DOCKER_HOST points nowhere to make sure).
        await using var stack = TestStack.Create(OneService("""
            command: [nginx, -g, "daemon off;"]
            runtime: docker
            image: nginx:1.27
            """));

        var up = await stack.ShoalAsync(new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" }, "up", "-d");

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("shoal.yml:8:14: services.svc.runtime: runtime docker cannot run here: ", up.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", up.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_ServesThroughTheGateway_AndCannotReadEtcShadow()
    {
        // The same check in a sandbox and in a bare process: root reads /etc/shadow unless the sandbox hides it.
        const string Check = "if cat /etc/shadow >/dev/null 2>&1; then echo shadow-readable; else echo shadow-unreadable; fi; exec sleep 600";
        await using var stack = await TestStack.StartAsync($$"""
            name: isolation
            gateway:
              listen: %gateway%
              admin: %admin%
            services:
              web:
                runtime: sandbox
                command: [dotnet, "%sample%"]
                working_dir: "{{Path.GetDirectoryName(RepoPaths.SampleApp)}}"
                port: auto
                health: { http: /api/health, interval: 500ms }
                routes: ["/api/**"]
              probe:
                runtime: sandbox
                command: [sh, -c, "{{Check}}"]
              control:
                command: [sh, -c, "{{Check}}"]
            """);

        using var response = await stack.Client.GetAsync("/api/whoami");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox", (await ReplicaAsync(stack, "web-1")).GetProperty("runtime").GetString());
        string LogOf(string id) => File.ReadAllText(Path.Combine(stack.Directory, ".shoal", "logs", id + ".log"));
        await Poll.UntilAsync(() => LogOf("probe-1").Contains("shadow-", StringComparison.Ordinal) && LogOf("control-1").Contains("shadow-", StringComparison.Ordinal), s_wait, "both checks ran");
        Assert.Equal("shadow-unreadable", LogOf("probe-1").Trim());
        Assert.Equal("shadow-readable", LogOf("control-1").Trim());
    }
}
