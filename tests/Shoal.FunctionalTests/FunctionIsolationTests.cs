using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// Functions isolated and limited, through the real ./shoal started as root: the default unprivileged user and what it
/// can and cannot reach under runtime <c>process</c>, an out-of-memory instance reported as Lambda reports it and
/// replaced, and <c>idle: freeze</c>.
/// </summary>
public sealed class FunctionIsolationTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public async Task Node_function_filling_400MB_under_128MB_answers_502_OutOfMemory_promptly_and_is_replaced()
    {
        var code = IsolationCode.Node("""
            exports.handler = async (event) => {
              if ((event.rawQueryString || '').includes('hog=1')) {
                const hoard = [];
                for (let i = 0; i < 400; i++) hoard.push(Buffer.alloc(1 << 20, 1));
                return { statusCode: 200, body: 'survived ' + hoard.length };
              }
              return { statusCode: 200, body: 'ok pid=' + process.pid };
            };
            """);
        var functions = $"""
              hog:
                command: [node, bootstrap.js]
                handler: hog.handler
                code: {code}
                memory: 128
                timeout: 20s
            """;
        // POST: the pool hedges a slow GET after its delay, and on a loaded host the OOM can take longer than that, so a
        // GET would be sent to a second instance that runs out of memory too (oom_kills 2, seen in a full run).
        await using var stack = await FunctionStacks.StartAsync(functions, "routes:\n  - { path: /hog, method: POST, function: hog }\n");
        using (var warm = await stack.Client.PostAsync("/hog", content: null))
        {
            Assert.True(warm.StatusCode == HttpStatusCode.OK, await warm.Content.ReadAsStringAsync());
        }

        var clock = Stopwatch.StartNew();
        using var hog = await stack.Client.PostAsync("/hog?hog=1", content: null);
        var elapsed = clock.Elapsed;
        var body = await hog.Content.ReadAsStringAsync();

        if (!IsRoot)
        {
            // Without cgroups nothing caps the function: it survives (documented: limits need root on cgroup v1).
            Assert.Equal(HttpStatusCode.OK, hog.StatusCode);
            return;
        }

        Assert.True(hog.StatusCode == HttpStatusCode.BadGateway, body);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("Runtime.OutOfMemory", problem.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("Runtime exited with error: signal: killed", problem.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"the OOM kill took {elapsed.TotalSeconds:0.0} s to be reported (timeout 20 s)");

        // A new instance takes the next request.
        using var after = await stack.Client.PostAsync("/hog", content: null);
        Assert.True(after.StatusCode == HttpStatusCode.OK, await after.Content.ReadAsStringAsync());

        // Counted by the pool and shown by ps, and logged as OOM.
        var pool = await stack.AdminJsonAsync("/v1/functions/hog");
        Assert.Equal(1, pool.GetProperty("oom_kills").GetInt32());
        var ps = await stack.ShoalAsync("ps");
        Assert.Equal(0, ps.ExitCode);
        // FUNCTION TOTAL IDLE BUSY START WAIT STARTED 429 OOM RUNTIME
        var row = ps.Stdout.Split('\n').First(l => l.Contains(" hog ", StringComparison.Ordinal) && l.Contains("process", StringComparison.Ordinal));
        var cells = row.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("hog", "1", "process"), (cells[0], cells[8], cells[9]));
        var log = await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "shoal.log"));
        Assert.Contains("was killed at its memory size (128 MB): out of memory", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_function_of_a_root_daemon_runs_unprivileged_and_cannot_read_shadow_or_the_state_directory()
    {
        // The code sits in a 0700 temp directory, as a checkout under /root does: the agent runs a read-only copy.
        var code = IsolationCode.Bash(IsolationCode.Probe);
        await using var stack = await FunctionStacks.StartAsync(FunctionStacks.Bash("probe", code), "routes:\n  - { path: /probe, function: probe }\n");
        var report = await IsolationCode.ProbeAsync(stack, "/probe");

        if (!IsRoot)
        {
            Assert.Equal(Environment.UserName, report["user"]);
            return;
        }

        Assert.Equal("shoal-fn", report["user"]);
        Assert.NotEqual("0", report["uid"]);
        Assert.Equal("/tmp", report["home"]);
        Assert.Equal("denied", report["shadow"]);
        Assert.Equal("denied", report["shoal"]);
        Assert.Equal("denied", report["agent_state"]);
        Assert.Equal("denied", report["own_log"]);
        Assert.Equal("denied", report["daemon_environ"]);
        Assert.Equal("denied", report["daemon_signal"]);
        Assert.Equal("denied", report["code_write"]);
        Assert.Equal("ok", report["tmp_write"]);
        Assert.NotEqual(code, report["task_root"]);
        Assert.Equal("ok", report["code_read"]);

        // What process does NOT isolate (documented): the host's process table, /tmp, and code others may read.
        Assert.Equal("visible", report["daemon_process"]);
        Assert.Equal("shared", report["tmp"]);
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("oci")]
    public async Task Isolated_function_sees_neither_other_code_nor_other_processes_and_has_its_own_tmp(string runtime)
    {
        // The other function's code is readable by anyone on the host: only the runtime keeps the probe out of it.
        var other = IsolationCode.Bash("function handler () { echo \"pid=$$\"; }");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(other, (UnixFileMode)0b111_101_101);
        }

        // As the default unprivileged user: the runtime must make the directories above the bound code traversable.
        var functions = FunctionStacks.Bash("probe", IsolationCode.Bash(IsolationCode.Probe), $"runtime: {runtime}") + "\n" + FunctionStacks.Bash("other", other, $"runtime: {runtime}");
        await using var stack = await FunctionStacks.StartAsync(functions, "routes:\n  - { path: /probe, function: probe }\n  - { path: /other, function: other }\n");
        using (var warm = await stack.Client.GetAsync("/other"))
        {
            Assert.True(warm.StatusCode == HttpStatusCode.OK, await warm.Content.ReadAsStringAsync());
        }

        var otherPid = (await IsolationCode.InstanceAsync(stack, "other", "running")).GetProperty("pid").GetInt32();
        var report = await IsolationCode.ProbeAsync(stack, "/probe", $"&other={other}&otherpid={otherPid}");

        Assert.Equal("shoal-fn", report["user"]);
        Assert.Equal("denied", report["shadow"]);
        Assert.Equal("denied", report["shoal"]);
        Assert.Equal("denied", report["agent_state"]);
        Assert.Equal("denied", report["code_write"]);
        Assert.Equal("ok", report["code_read"]);
        Assert.Equal("ok", report["tmp_write"]);
        Assert.Equal("private", report["tmp"]);
        Assert.Equal("denied", report["other_code"]);
        Assert.Equal("hidden", report["other_process"]);
        Assert.Equal("hidden", report["daemon_process"]);
        Assert.Equal("denied", report["daemon_signal"]);
    }

    [Fact]
    public async Task Process_function_can_read_code_that_others_may_read_and_see_other_instances()
    {
        // The counterpart of the isolated runtimes' test: under process these are shared (documented).
        var other = IsolationCode.Bash("function handler () { echo \"pid=$$\"; }");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(other, (UnixFileMode)0b111_101_101);
        }

        var functions = FunctionStacks.Bash("probe", IsolationCode.Bash(IsolationCode.Probe)) + "\n" + FunctionStacks.Bash("other", other);
        await using var stack = await FunctionStacks.StartAsync(functions, "routes:\n  - { path: /probe, function: probe }\n  - { path: /other, function: other }\n");
        using (var warm = await stack.Client.GetAsync("/other"))
        {
            Assert.True(warm.StatusCode == HttpStatusCode.OK, await warm.Content.ReadAsStringAsync());
        }

        var otherPid = (await IsolationCode.InstanceAsync(stack, "other", "running")).GetProperty("pid").GetInt32();
        var report = await IsolationCode.ProbeAsync(stack, "/probe", $"&other={other}&otherpid={otherPid}");

        Assert.Equal("readable", report["other_code"]);
        Assert.Equal("visible", report["other_process"]);
        Assert.Equal("shared", report["tmp"]);
    }

    [Fact]
    public async Task Idle_freeze_freezes_an_idle_instance_and_the_next_request_thaws_it()
    {
        var code = IsolationCode.Bash("""
            function handler () {
              echo "pid=$$"
            }
            """);
        await using var stack = await FunctionStacks.StartAsync(FunctionStacks.Bash("cold", code, "idle: freeze"), "routes:\n  - { path: /cold, function: cold }\n");
        using (var first = await stack.Client.GetAsync("/cold"))
        {
            Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        }

        var instance = await IsolationCode.InstanceAsync(stack, "cold", "Paused");
        var pid = instance.GetProperty("pid").GetInt32();
        await Poll.UntilAsync(() => ProcessState(pid) is "D" or "T", s_wait, "the idle instance to be frozen");
        var ps = await stack.ShoalAsync("ps");
        Assert.Contains("PAUSED", ps.Stdout, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        using var thawed = await stack.Client.GetAsync("/cold");
        var elapsed = clock.Elapsed;
        var body = (await thawed.Content.ReadAsStringAsync()).Trim();
        Assert.True(thawed.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal($"pid={pid}", body);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"the thawed instance took {elapsed.TotalMilliseconds:0} ms");

        // Idle again, frozen again.
        await IsolationCode.InstanceAsync(stack, "cold", "Paused");
    }

    private static string ProcessState(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
    }
}
