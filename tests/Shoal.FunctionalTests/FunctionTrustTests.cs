using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// Function instances against other local processes and against a freeze, through the real ./shoal: the Runtime API
/// answers only its own runtime (another uid, or root without the secret, gets 404s), a response is accepted once and
/// only for the invocation the instance holds, and a frozen instance (SIGSTOP) neither fails nor stalls requests.
/// </summary>
public sealed class FunctionTrustTests
{
    private const string Nobody = "65534";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Runtime_API_answers_only_its_own_runtime_and_takes_each_answer_once()
    {
        var code = BashCode();
        await using var stack = await FunctionStacks.StartAsync(FunctionStacks.Bash("t", code, "timeout: 30s"), "routes:\n  - { path: \"/t/{proxy+}\", function: t }\n");
        using var first = await stack.Client.GetAsync("/t/one");
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody);
        var pid = Pid(firstBody);
        var firstId = first.Headers.GetValues("apigw-requestid").Single();

        // The runtime's address carries a secret; another uid cannot read it from the instance's environment.
        var api = Environ(pid)["AWS_LAMBDA_RUNTIME_API"];
        Assert.Matches("^127\\.0\\.0\\.1:[0-9]+/[0-9a-f]{40}$", api);
        var port = "http://" + api.Split('/')[0];
        var nosy = await AsNobodyAsync("cat", $"/proc/{pid}/environ");
        Assert.NotEqual(0, nosy.ExitCode);
        Assert.DoesNotContain(api.Split('/')[1], nosy.Output, StringComparison.Ordinal);

        // A slow invocation is in flight while others try their luck with only the port (as ss shows it).
        var slow = stack.Client.GetAsync("/t/slow");
        await Poll.UntilAsync(async () => (await stack.AdminJsonAsync("/v1/functions/t")).GetProperty("busy").GetInt32() == 1, s_wait, "the slow invocation runs");
        foreach (var asNobody in new[] { true, false })
        {
            Assert.Equal("404", await CurlAsync(asNobody, "GET", $"{port}/2018-06-01/runtime/invocation/next"));
            Assert.Equal("404", await CurlAsync(asNobody, "POST", $"{port}/2018-06-01/runtime/invocation/{firstId}/response", "\"forged\""));
            Assert.Equal("404", await CurlAsync(asNobody, "POST", $"{port}/2018-06-01/runtime/init/error", "{}"));
            Assert.Equal("404", await CurlAsync(asNobody, "POST", $"{port}/2015-03-31/functions/function/invocations", "{}"));
            Assert.Equal("404", await CurlAsync(asNobody, "POST", $"http://{api}/2015-03-31/functions/function/invocations", "{}"));
        }

        // Even with the runtime's secret, the first invocation's answer cannot be replayed into the second.
        Assert.Equal("400", await CurlAsync(false, "POST", $"http://{api}/2018-06-01/runtime/invocation/{firstId}/response", "\"replayed\""));

        using var slowResponse = await slow;
        var slowBody = await slowResponse.Content.ReadAsStringAsync();
        Assert.True(slowResponse.StatusCode == HttpStatusCode.OK, slowBody);
        Assert.Equal($"pid={pid}", slowBody.Trim());
        var slowId = slowResponse.Headers.GetValues("apigw-requestid").Single();
        Assert.Equal("400", await CurlAsync(false, "POST", $"http://{api}/2018-06-01/runtime/invocation/{slowId}/response", "\"replayed\""));

        // And the instance serves on, untouched by all of it.
        using var after = await stack.Client.GetAsync("/t/after");
        Assert.Equal($"pid={pid}", (await after.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task A_frozen_instance_under_10_clients_fails_and_stalls_nothing_and_serves_again_when_thawed()
    {
        // Node.js: one process per instance, no fork per invocation, so the host's load is the gateway's.
        var functions = $$"""
              t:
                command: [node, bootstrap.js]
                handler: index.handler
                code: {{NodeCode()}}
                timeout: 30s
                concurrency:
                  max: 20
            """;
        await using var stack = await FunctionStacks.StartAsync(functions, "routes:\n  - { path: \"/t/{proxy+}\", function: t, method: GET }\n");

        // Warm up: instances for ten clients, and the latencies the hedge delay follows.
        var warm = await RunLoadAsync(stack.Client.BaseAddress!, TimeSpan.FromSeconds(3), during: null);
        Assert.Empty(warm.Failures);

        // Freeze the instance that answered last: the pool hands it out next.
        var freezeAt = TimeSpan.Zero;
        var frozen = 0;
        var thawAt = TimeSpan.Zero;
        var load = await RunLoadAsync(stack.Client.BaseAddress!, TimeSpan.FromSeconds(6), async (clock, lastPid) =>
        {
            await Poll.UntilAsync(() => clock.Elapsed >= TimeSpan.FromSeconds(1) && lastPid() > 0, s_wait, "load running");
            frozen = lastPid();
            await SignalGroupAsync(frozen, "-STOP");
            freezeAt = clock.Elapsed;
            await Poll.UntilAsync(() => ProcessState(frozen) == "T", s_wait, "the instance is stopped");
            await Poll.UntilAsync(() => clock.Elapsed >= freezeAt + TimeSpan.FromSeconds(3), s_wait, "three seconds frozen");
            await SignalGroupAsync(frozen, "-CONT");
            thawAt = clock.Elapsed;
        });

        Assert.True(load.Failures.IsEmpty, $"frozen at {freezeAt.TotalMilliseconds:0} ms:\n{string.Join("\n", load.Failures)}\n{HedgeLog(stack)}");
        var frozenWindow = load.Requests.Where(r => r.Start >= freezeAt + TimeSpan.FromSeconds(1) && r.Start < thawAt).ToList();
        Assert.True(frozenWindow.Count > 50, $"only {frozenWindow.Count} requests while frozen");
        var worst = load.Requests.Where(r => r.Start >= freezeAt + TimeSpan.FromSeconds(1)).Max(r => r.Latency);
        Assert.True(worst < TimeSpan.FromSeconds(1), $"a request from 1 s after the freeze took {worst.TotalMilliseconds:0} ms\n{HedgeLog(stack)}");
        var caught = load.Requests.Where(r => r.Start < freezeAt + TimeSpan.FromSeconds(1)).Max(r => r.Latency);
        Assert.True(caught < TimeSpan.FromSeconds(3), $"a request caught by the freeze took {caught.TotalMilliseconds:0} ms");
        Assert.True((await stack.AdminJsonAsync("/v1/functions/t")).GetProperty("hedged").GetInt64() >= 1, "no invocation was hedged: the freeze caught nothing");

        // Thawed, the same process answers again: as many held requests at once as the pool has instances reach every one.
        await Poll.UntilAsync(async () =>
        {
            var instances = (await stack.AdminJsonAsync("/v1/functions/t")).GetProperty("instances").GetInt32();
            var bodies = await Task.WhenAll(Enumerable.Range(0, instances).Select(async i =>
            {
                using var response = await stack.Client.GetAsync($"/t/again-{i}?hold=1");
                return await response.Content.ReadAsStringAsync();
            }));
            return bodies.Any(b => Pid(b) == frozen);
        }, s_wait, $"the thawed instance (pid {frozen}) serves again");
    }

    /// <summary>The tutorial's bootstrap with a handler that answers <c>pid=PID</c> (slowly on <c>/t/slow</c>).</summary>
    private static string BashCode()
    {
        var directory = Directory.CreateTempSubdirectory("shoal-fn-").FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "functions", "bash", "bootstrap"), Path.Combine(directory, "bootstrap"));
        File.WriteAllText(Path.Combine(directory, "function.sh"), """
            function handler () {
              case "$1" in
                *'"rawPath":"/t/slow"'*) sleep 2 ;;
              esac
              echo "pid=$$"
            }
            """);
        return directory;
    }

    /// <summary>The tutorial-style Node.js bootstrap of the samples with a handler that answers <c>pid=PID</c> (after 300 ms with <c>?hold</c>).</summary>
    private static string NodeCode()
    {
        var directory = Directory.CreateTempSubdirectory("shoal-fn-").FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "functions", "node", "bootstrap.js"), Path.Combine(directory, "bootstrap.js"));
        File.WriteAllText(Path.Combine(directory, "index.js"), """
            exports.handler = async (event) => {
              if ((event.rawQueryString || '').includes('hold')) await new Promise((resolve) => setTimeout(resolve, 300));
              return { statusCode: 200, body: 'pid=' + process.pid };
            };
            """);
        return directory;
    }

    /// <summary>The daemon's log lines about function instances and hedges, for a failure's message.</summary>
    private static string HedgeLog(TestStack stack)
    {
        var log = Path.Combine(stack.Directory, ".shoal", "shoal.log");
        return File.Exists(log)
            ? string.Join("\n", File.ReadLines(log).Where(l => l.Contains("Function t", StringComparison.Ordinal) || l.Contains("instance", StringComparison.OrdinalIgnoreCase)).TakeLast(40))
            : "(no daemon log)";
    }

    private static int Pid(string body) =>
        body.StartsWith("pid=", StringComparison.Ordinal) && int.TryParse(body.AsSpan(4).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : 0;

    private static Dictionary<string, string> Environ(int pid) =>
        Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static Task<ProcessRunner.Result> AsNobodyAsync(string program, params string[] arguments) =>
        ProcessRunner.RunAsync("setpriv", [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", program, .. arguments], timeout: s_wait);

    /// <summary>curl as another uid or as root: the status code it got.</summary>
    private static async Task<string> CurlAsync(bool asNobody, string method, string url, string? body = null)
    {
        string[] arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "-X", method, .. body is null ? Array.Empty<string>() : ["-d", body], url];
        var result = asNobody ? await AsNobodyAsync("curl", arguments) : await ProcessRunner.RunAsync("curl", arguments, timeout: s_wait);
        return result.Stdout.Trim();
    }

    private static async Task SignalGroupAsync(int pid, string signal)
    {
        // The instance leads its own process group (setsid): freeze the runtime and its children alike.
        var result = await ProcessRunner.RunAsync("kill", [signal, "--", "-" + pid.ToString(CultureInfo.InvariantCulture)], timeout: s_wait);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static string ProcessState(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
    }

    /// <summary>Ten clients with a 3 s timeout looping on GET for <paramref name="duration"/>, each request timed.</summary>
    private static async Task<Load> RunLoadAsync(Uri gateway, TimeSpan duration, Func<Stopwatch, Func<int>, Task>? during)
    {
        var load = new Load();
        var clock = Stopwatch.StartNew();
        var lastPid = 0;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 10 }) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(3) };
        var clients = Enumerable.Range(0, 10).Select(client => Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var start = clock.Elapsed;
                try
                {
                    using var response = await http.GetAsync($"/t/c{client}-{i}");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || Pid(body) == 0)
                    {
                        load.Failures.Enqueue($"{start.TotalMilliseconds:0} ms: HTTP {(int)response.StatusCode} {body}");
                    }
                    else
                    {
                        Volatile.Write(ref lastPid, Pid(body));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    load.Failures.Enqueue($"{start.TotalMilliseconds:0} ms: {ex.GetType().Name} {ex.Message}");
                }

                load.Requests.Enqueue(new Timed(start, clock.Elapsed - start));
            }
        })).ToList();
        if (during is not null)
        {
            await during(clock, () => Volatile.Read(ref lastPid));
        }

        await Task.WhenAll(clients);
        return load;
    }

    private sealed record Timed(TimeSpan Start, TimeSpan Latency);

    private sealed class Load
    {
        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentQueue<Timed> Requests { get; } = new();
    }
}
