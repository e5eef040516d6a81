using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shoal.Functions.Pool;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>Lambda-compatible functions end to end: the real ./shoal, its agent, real runtimes (C#, Node.js, bash + curl).</summary>
public sealed class FunctionTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-e2e";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Samples_answer_through_the_gateway_with_their_event_fields()
    {
        var functions = FunctionStacks.CSharp("cs") + "\n" + FunctionStacks.Node("node") + "\n" + FunctionStacks.Bash("bash");
        var routing = $$"""
            auth:
              api_keys:
                - id: mobile
                  value: "k-mobile-0123456789"
              jwt:
                issuer: https://issuer.test
                audience: shoal-e2e
                hs256_secret: "{{Secret}}"
            routes:
              - { path: "/cs/users/{id}", method: GET, function: cs, payload: "2.0", auth: jwt }
              - { path: /cs/raw, method: POST, function: cs, payload: "2.0" }
              - { path: "/cs/v1/{proxy+}", method: ANY, function: cs, payload: "1.0", auth: api-key }
              - { path: "/node/users/{id}", method: GET, function: node }
              - { path: "/bash/{proxy+}", function: bash }
            """;
        await using var stack = await FunctionStacks.StartAsync(functions, routing);
        var client = stack.Client;

        // HTTP API (2.0) with a JWT: path parameter, multi-value query, cookies, claims.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/cs/users/42?tag=a&tag=b&one=1"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("alice", "read write"));
            request.Headers.Add("Cookie", "session=abc; theme=dark");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var echo = JsonDocument.Parse(body);
            var root = echo.RootElement;
            Assert.Equal("42", root.GetProperty("pathParameters").GetProperty("id").GetString());
            Assert.Equal("GET", root.GetProperty("method").GetString());
            Assert.Equal("/cs/users/42", root.GetProperty("path").GetString());
            Assert.Equal("a,b", Single(root.GetProperty("query"), "tag"));
            Assert.Equal(["session=abc", "theme=dark"], root.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()!).ToArray());
            Assert.Contains("alice", root.GetProperty("authorizer").GetRawText(), StringComparison.Ordinal);
        }

        // Unauthenticated and badly signed tokens: 401 with nothing but the word.
        using (var none = await client.GetAsync("/cs/users/42"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("""{"message":"Unauthorized"}""", await none.Content.ReadAsStringAsync());
        }

        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/cs/users/42"))
        {
            forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("mallory", "read", secret: Secret + "-wrong"));
            using var response = await client.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // A binary body makes the round trip through base64 both ways.
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using (var content = new ByteArrayContent(bytes))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await client.PostAsync("/cs/raw?echo=raw", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        }

        // REST API (1.0) with an API key: greedy path parameter, multi-value query, the key's id.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/cs/v1/items/x-1?tag=a&tag=b"))
        {
            request.Headers.Add("x-api-key", "k-mobile-0123456789");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var echo = JsonDocument.Parse(body);
            Assert.Equal("items/x-1", echo.RootElement.GetProperty("pathParameters").GetProperty("proxy").GetString());
            Assert.Contains("mobile", echo.RootElement.GetProperty("authorizer").GetRawText(), StringComparison.Ordinal);
            Assert.Contains("\"a\"", echo.RootElement.GetProperty("query").GetRawText(), StringComparison.Ordinal);
            Assert.Contains("\"b\"", echo.RootElement.GetProperty("query").GetRawText(), StringComparison.Ordinal);
        }

        using (var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/cs/v1/items"))
        {
            wrongKey.Headers.Add("x-api-key", "k-not-a-key");
            using var response = await client.SendAsync(wrongKey);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("""{"message":"Forbidden"}""", await response.Content.ReadAsStringAsync());
        }

        using (var noKey = await client.GetAsync("/cs/v1/items"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        }

        // Node.js.
        using (var response = await client.GetAsync("/node/users/7?x=1"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var echo = JsonDocument.Parse(body);
            Assert.Equal("7", echo.RootElement.GetProperty("pathParameters").GetProperty("id").GetString());
            Assert.Equal("node", echo.RootElement.GetProperty("runtime").GetString());
        }

        // The tutorial's bash + curl bootstrap: its handler echoes the whole event back as text.
        using (var response = await client.GetAsync("/bash/hello?who=world"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.StartsWith("Echoing request: '", body, StringComparison.Ordinal);
            Assert.Contains("\"rawPath\":\"/bash/hello\"", body, StringComparison.Ordinal);
            Assert.Contains("\"proxy\":\"hello\"", body, StringComparison.Ordinal);
        }

        // `logs NAME` prints a function's instances, prefixed FUNCTION.ID: the tutorial's handler echoes each event to stderr.
        var logs = await stack.ShoalAsync("logs", "bash");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        var lines = logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("\"rawPath\":\"/bash/hello\"", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Matches("^bash\\.[0-9a-f]+ \\| ", l));
        var everything = await stack.ShoalAsync("logs");
        Assert.Contains("bash.", everything.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(everything.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !Regex.IsMatch(l, "^(cs|node|bash)\\.[0-9a-f]+ \\| "));
    }

    [Fact]
    public async Task Concurrency_limit_holds_with_a_standalone_agent_and_excess_waits_or_gets_429()
    {
        // The agent runs alone (./shoal agent), the stack points at it, and the test lists instances the way the janitor does.
        await using var standalone = await StandaloneAgent.StartAsync();
        var agent = standalone.Agent;

        var functions = FunctionStacks.CSharp("slow", "concurrency: { max: 3, queue: 20, queue_timeout: 30s }")
            + "\n" + FunctionStacks.CSharp("tight", "concurrency: { max: 2, queue: 1, queue_timeout: 300ms }");
        var routing = """
            routes:
              - { path: /slow, method: GET, function: slow }
              - { path: /tight, method: GET, function: tight }
            """;
        await using var stack = await FunctionStacks.StartAsync(functions, routing, agent: standalone.Agent.Address.AbsoluteUri.TrimEnd('/'));

        // 10 slow invocations against max 3: never more than 3 instances, all 10 answered after waiting their turn.
        var maxAlive = 0;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var alive = (await agent.ListAsync("fn", CancellationToken.None)).Count(i => i.Function == "slow" && i.State != AgentInstanceState.Exited);
                maxAlive = Math.Max(maxAlive, alive);
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, CancellationToken.None);
            }
        });
        var slow = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => stack.Client.GetAsync("/slow?sleep_ms=1200")));
        await watching.CancelAsync();
        await watcher;
        Assert.All(slow, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(3, maxAlive);
        Assert.Equal(3, (await agent.ListAsync("fn", CancellationToken.None)).Count(i => i.Function == "slow"));

        // max 2, queue 1, 300 ms: two run, one waits then gets 429 at its deadline, the rest get 429 at once.
        var started = Stopwatch.StartNew();
        var tight = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => stack.Client.GetAsync("/tight?sleep_ms=2000")));
        Assert.Equal(2, tight.Count(r => r.StatusCode == HttpStatusCode.OK));
        var throttled = tight.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(4, throttled.Count);
        foreach (var response in throttled)
        {
            Assert.Contains("TooManyRequestsException", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.True((await agent.ListAsync("fn", CancellationToken.None)).Count(i => i.Function == "tight") <= 2);
        foreach (var response in slow.Concat(tight))
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Warm_instances_are_reused_reaped_when_idle_and_min_warm_kept()
    {
        var functions = FunctionStacks.CSharp("warm", "idle_timeout: 2s") + "\n" + FunctionStacks.CSharp("provisioned", "idle_timeout: 1s\nconcurrency: { max: 4, min_warm: 2 }");
        var routing = """
            routes:
              - { path: /warm, method: GET, function: warm }
            """;
        await using var stack = await FunctionStacks.StartAsync(functions, routing);

        // min_warm: two instances start with no invocation at all.
        await Poll.UntilAsync(async () => (await PoolAsync(stack, "provisioned")).GetProperty("idle").GetInt32() == 2, s_wait, "two provisioned instances warm");

        for (var i = 0; i < 100; i++)
        {
            using var response = await stack.Client.GetAsync("/warm");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var warm = await PoolAsync(stack, "warm");
        Assert.Equal(1, warm.GetProperty("started").GetInt64());
        Assert.Equal(1, warm.GetProperty("instances").GetInt32());

        // `ps` lists the pools under the services.
        var ps = await stack.ShoalAsync("ps");
        Assert.Equal(0, ps.ExitCode);
        Assert.Matches(@"provisioned\s*│\s*2\s*│\s*2", ps.Stdout);
        Assert.Matches(@"warm\s*│\s*1\s*│\s*1", ps.Stdout);

        // Idle past idle_timeout: the janitor stops it, and the agent no longer has it.
        await Poll.UntilAsync(async () => (await PoolAsync(stack, "warm")).GetProperty("instances").GetInt32() == 0, s_wait, "the idle instance reaped");
        await Poll.UntilAsync(() => !FunctionStacks.AgentRecords(stack).Keys.Any(k => k.Contains(".warm.", StringComparison.Ordinal)), s_wait, "the agent dropped it");

        // The provisioned ones have been idle longer than their idle_timeout too, and are kept: the same two.
        var provisioned = await PoolAsync(stack, "provisioned");
        Assert.Equal(2, provisioned.GetProperty("instances").GetInt32());
        Assert.Equal(2, provisioned.GetProperty("started").GetInt64());
    }

    [Fact]
    public async Task Timeout_crash_handler_error_and_init_error_fail_one_invocation_and_the_pool_recovers()
    {
        var initCode = Directory.CreateTempSubdirectory("shoal-init-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The runtime looks for the marker by this path, as the function's own (unprivileged) user.
            File.SetUnixFileMode(initCode, (UnixFileMode)0b111_101_101);
        }

        var marker = Path.Combine(initCode, "broken");
        await File.WriteAllTextAsync(marker, "x");
        await File.WriteAllTextAsync(Path.Combine(initCode, "bootstrap"), $$"""
            #!/bin/bash
            # A custom runtime that reports an init error while {{marker}} exists.
            if [ -f "{{marker}}" ]; then
              curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error" \
                -H 'Lambda-Runtime-Function-Error-Type: Runtime.ConfigError' \
                -d '{"errorMessage":"configuration missing","errorType":"Runtime.ConfigError"}'
              exit 1
            fi
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
              ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$ID/response" -d '{"statusCode":200,"body":"initialized"}'
            done
            """);
        var functions = FunctionStacks.CSharp("cs", "timeout: 1s") + $$"""

              init:
                command: [bash, bootstrap]
                code: {{initCode}}
            """;
        var routing = """
            routes:
              - { path: "/cs/{proxy+}", function: cs }
              - { path: /init, function: init }
            """;
        await using var stack = await FunctionStacks.StartAsync(functions, routing);
        var client = stack.Client;
        await AssertOkAsync(client, "/cs/warm");

        // Past the timeout: 504, the instance is killed and replaced for the next invocation.
        var (status, error) = await ErrorAsync(client, "/cs/t?sleep_ms=4000");
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal("Sandbox.Timedout", error.GetProperty("errorType").GetString());
        Assert.Contains("timed out after 1.00 seconds", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        await AssertOkAsync(client, "/cs/after-timeout");
        Assert.Equal(2, (await PoolAsync(stack, "cs")).GetProperty("started").GetInt64());

        // The runtime process dies mid-invocation: 502 with the exit, then a fresh instance.
        (status, error) = await ErrorAsync(client, "/cs/c?crash=1");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("Runtime.ExitError", error.GetProperty("errorType").GetString());
        Assert.Contains("exit status 3", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        await AssertOkAsync(client, "/cs/after-crash");
        Assert.Equal(3, (await PoolAsync(stack, "cs")).GetProperty("started").GetInt64());

        // The handler throws: 502 with its type and message (no stack trace); the instance lives on.
        (status, error) = await ErrorAsync(client, "/cs/f?fail=1");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("InvalidOperationException", error.GetProperty("errorType").GetString());
        Assert.Equal("boom", error.GetProperty("errorMessage").GetString());
        Assert.False(error.TryGetProperty("stackTrace", out _));
        await AssertOkAsync(client, "/cs/after-error");
        Assert.Equal(3, (await PoolAsync(stack, "cs")).GetProperty("started").GetInt64());

        // init/error: 502 with the runtime's own error; once fixed, the next invocation starts a healthy instance.
        (status, error) = await ErrorAsync(client, "/init");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("Runtime.ConfigError", error.GetProperty("errorType").GetString());
        Assert.Equal("configuration missing", error.GetProperty("errorMessage").GetString());
        File.Delete(marker);
        await AssertOkAsync(client, "/init");
        Assert.Equal(0, (await PoolAsync(stack, "init")).GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Instances_orphaned_by_a_killed_gateway_are_destroyed_by_the_janitor_after_a_restart()
    {
        // A runtime that outlives its Runtime API (it retries), as many do: killing the gateway leaves it running.
        var code = Directory.CreateTempSubdirectory("shoal-orphan-").FullName;
        await File.WriteAllTextAsync(Path.Combine(code, "bootstrap"), """
            #!/bin/bash
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next") || { sleep 0.2; continue; }
              ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              curl -sS "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$ID/response" -d '"ok"' || true
            done
            """);
        var functions = $$"""
              sturdy:
                command: [bash, bootstrap]
                code: {{code}}
            """;
        await using var stack = await FunctionStacks.StartAsync(functions, "routes:\n  - { path: /s, function: sturdy }\n");
        await AssertOkAsync(stack.Client, "/s");
        var orphanPid = Assert.Single(FunctionStacks.AgentRecords(stack)).Value;

        // kill -9 of the daemon alone (not its process tree: the instances are its children).
        ProcessUtil.Signal(stack.RecordedPids()["shoal"], "-9");
        await Poll.UntilAsync(() => !stack.Client.GetAsync("/s").ContinueWith(t => t.IsCompletedSuccessfully).Result, s_wait, "the gateway is gone");
        Assert.True(ProcessUtil.IsAlive(orphanPid), "the instance outlived its gateway");

        Assert.Equal(0, (await stack.ShoalAsync("up", "-d")).ExitCode);
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(orphanPid), s_wait, "the janitor destroys the orphan");
        Assert.DoesNotContain(FunctionStacks.AgentRecords(stack).Values, pid => pid == orphanPid);
        var log = await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "shoal.log"));
        Assert.Contains("which no pool holds", log, StringComparison.Ordinal);
        await AssertOkAsync(stack.Client, "/s");

        // Killed again, and this time `down` with no daemon left: the instance goes by the agent's record.
        var second = Assert.Single(FunctionStacks.AgentRecords(stack)).Value;
        ProcessUtil.Signal(stack.RecordedPids()["shoal"], "-9");
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(stack.RecordedPids()["shoal"]), s_wait, "the daemon is gone");
        Assert.True(ProcessUtil.IsAlive(second));
        Assert.Equal(0, (await stack.ShoalAsync("down")).ExitCode);
        Assert.False(ProcessUtil.IsAlive(second));
    }

    [Fact]
    public async Task Invoke_API_serves_RequestResponse_Event_DryRun_and_the_AWS_SDK()
    {
        var outbox = Directory.CreateTempSubdirectory("shoal-events-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The function, running as its own unprivileged user, writes here.
            File.SetUnixFileMode(outbox, (UnixFileMode)0b111_111_111);
        }

        var code = Directory.CreateTempSubdirectory("shoal-sink-").FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "functions", "bash", "bootstrap"), Path.Combine(code, "bootstrap"));
        await File.WriteAllTextAsync(Path.Combine(code, "sink.sh"), $$"""
            function handler () {
              echo "$1" >> "{{Path.Combine(outbox, "events.txt")}}"
              echo '{"stored":true}'
            }
            """);
        var functions = FunctionStacks.Bash("echo") + "\n" + FunctionStacks.CSharp("cs") + $$"""

              sink:
                command: [bash, bootstrap]
                handler: sink.handler
                code: {{code}}
            """;
        const string token = "an-admin-token-for-the-e2e-test";
        (string Id, string Secret) key = ("AKIDSHOALTEST", "a-secret-access-key-for-the-e2e-test");
        await using var stack = await FunctionStacks.StartAsync(functions, "routes: []\n", adminToken: token, invokeCredentials: key);
        var admin = stack.AdminClient;
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var response = await admin.PostAsync("/2015-03-31/functions/echo/invocations", Json("""{"hello":"world"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Echoing request: '{\"hello\":\"world\"}'", (await response.Content.ReadAsStringAsync()).Trim());
            Assert.False(response.Headers.Contains("X-Amz-Function-Error"));
        }

        // A handler error is still 200, flagged in X-Amz-Function-Error with the error document as the payload.
        var failing = """{"version":"2.0","rawPath":"/f","rawQueryString":"fail=1","queryStringParameters":{"fail":"1"},"requestContext":{"http":{"method":"GET","path":"/f"}}}""";
        using (var response = await admin.PostAsync("/2015-03-31/functions/cs/invocations", Json(failing)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
            Assert.Contains("boom", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/sink/invocations") { Content = Json("""{"event":1}""") })
        {
            request.Headers.Add("X-Amz-Invocation-Type", "Event");
            using var response = await admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var events = Path.Combine(outbox, "events.txt");
        await Poll.UntilAsync(() => File.Exists(events) && File.ReadAllText(events).Contains("\"event\":1", StringComparison.Ordinal), s_wait, "the queued event ran");

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/sink/invocations") { Content = Json("""{"dry":1}""") })
        {
            request.Headers.Add("X-Amz-Invocation-Type", "DryRun");
            using var response = await admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.DoesNotContain("dry", await File.ReadAllTextAsync(events), StringComparison.Ordinal);

        using (var response = await admin.PostAsync("/2015-03-31/functions/missing/invocations", Json("{}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("ResourceNotFoundException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        }

        using (var response = await admin.PostAsync("/2015-03-31/functions/echo/invocations", Json("{not json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("InvalidRequestContentException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        }

        // The unmodified AWS SDK for JavaScript v3, pointed at the admin listener with the stack's invoke_credentials,
        // signs with SigV4; Shoal verifies the signature and lets it through.
        var sdk = await NodeAsync(key, "invoke.mjs", stack.Admin.ToString().TrimEnd('/'), "echo", """{"from":"sdk"}""");
        Assert.Equal(200, sdk.GetProperty("statusCode").GetInt32());
        Assert.Contains("from", sdk.GetProperty("payload").GetString(), StringComparison.Ordinal);
        var sdkError = await NodeAsync(key, "invoke.mjs", stack.Admin.ToString().TrimEnd('/'), "cs", failing);
        Assert.Equal("Unhandled", sdkError.GetProperty("functionError").GetString());
        var sdkMissing = await NodeAsync(key, "invoke.mjs", stack.Admin.ToString().TrimEnd('/'), "missing", "{}");
        Assert.Equal("ResourceNotFoundException", sdkMissing.GetProperty("error").GetString());
        var sdkWrongSecret = await NodeAsync((key.Id, "not-the-secret-access-key"), "invoke.mjs", stack.Admin.ToString().TrimEnd('/'), "echo", "{}");
        Assert.Equal(403, sdkWrongSecret.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Agent_limits_memory_with_cgroups_and_pauses_and_resumes_an_instance()
    {
        await using var standalone = await StandaloneAgent.StartAsync();
        var agent = standalone.Agent;

        var function = new Functions.Configuration.FunctionDefinition
        {
            Name = "echo",
            Command = ["bash", "bootstrap"],
            Handler = "function.handler",
            CodeDirectory = Path.Combine(RepoPaths.Root, "samples", "functions", "bash"),
            MemoryMb = 64,
        };
        var instance = await agent.EnsureAsync("t.echo.1", function, "t", CancellationToken.None);
        Assert.True(ProcessUtil.IsAlive(instance.Pid));

        // Ensuring the same id again is idempotent: the same process.
        Assert.Equal(instance.Pid, (await agent.EnsureAsync("t.echo.1", function, "t", CancellationToken.None)).Pid);

        var listed = Assert.Single((await agent.Client.ListContainersAsync(new Functions.Agent.Protocol.ListContainersRequest { Owner = "t" })).Containers);
        var heartbeat = await agent.Client.HeartbeatAsync(new Functions.Agent.Protocol.HeartbeatRequest { Owner = "t" });
        var cgroupsWritable = File.Exists("/sys/fs/cgroup/memory/cgroup.procs") && Environment.UserName == "root";
        if (cgroupsWritable)
        {
            // Root on cgroup v1 (these machines): the instance sits in its own memory cgroup with the function's limit.
            Assert.Equal("process+cgroup-v1", heartbeat.Runtime);
            Assert.Equal(64L * 1024 * 1024, listed.MemoryLimitBytes);
            Assert.Contains($"memory:/shoal/t.echo.1", await File.ReadAllTextAsync($"/proc/{instance.Pid}/cgroup"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("process", heartbeat.Runtime);
            Assert.Equal("", listed.Cgroup);
        }

        using var invoker = new HttpInstanceInvoker();
        var first = await invoker.InvokeAsync(instance.Id, instance.InvokeUrl, "r1", Encoding.UTF8.GetBytes("{\"n\":1}"), TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(first.IsError);

        var paused = await agent.Client.PauseContainerAsync(new Functions.Agent.Protocol.ContainerRef { Id = "t.echo.1" });
        Assert.Equal(Functions.Agent.Protocol.ContainerState.Paused, paused.State);
        await Poll.UntilAsync(() => ProcessState(instance.Pid) is "D" or "T", s_wait, "the instance is frozen");

        var resumed = await agent.Client.ResumeContainerAsync(new Functions.Agent.Protocol.ContainerRef { Id = "t.echo.1" });
        Assert.Equal(Functions.Agent.Protocol.ContainerState.Running, resumed.State);
        var second = await invoker.InvokeAsync(instance.Id, instance.InvokeUrl, "r2", Encoding.UTF8.GetBytes("{\"n\":2}"), TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Contains("\"n\":2", Encoding.UTF8.GetString(second.Payload.Span), StringComparison.Ordinal);

        // An invocation that reaches a paused instance thaws it first.
        await agent.Client.PauseContainerAsync(new Functions.Agent.Protocol.ContainerRef { Id = "t.echo.1" });
        var third = await invoker.InvokeAsync(instance.Id, instance.InvokeUrl, "r3", Encoding.UTF8.GetBytes("{\"n\":3}"), TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(third.IsError);

        await agent.DestroyAsync("t.echo.1", CancellationToken.None);
        Assert.False(ProcessUtil.IsAlive(instance.Pid));
        Assert.Empty((await agent.Client.ListContainersAsync(new Functions.Agent.Protocol.ListContainersRequest { Owner = "t" })).Containers);
        Assert.False(Directory.Exists("/sys/fs/cgroup/memory/shoal/t.echo.1"));
    }

    private static string ProcessState(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
    }

    /// <summary>A <c>./shoal agent</c> of its own on a free loopback port, answering its heartbeat before this returns.</summary>
    private sealed class StandaloneAgent : IAsyncDisposable
    {
        private readonly BackgroundProcess _process;

        private StandaloneAgent(BackgroundProcess process, GrpcFunctionAgent agent)
        {
            _process = process;
            Agent = agent;
        }

        public GrpcFunctionAgent Agent { get; }

        public static async Task<StandaloneAgent> StartAsync()
        {
            var address = $"http://127.0.0.1:{FreePort.Next()}";
            var directory = Directory.CreateTempSubdirectory("shoal-agent-").FullName;
            await ShoalCli.EnsureBuiltAsync();
            var started = new StandaloneAgent(
                BackgroundProcess.Start(RepoPaths.Shoal, ["agent", "--listen", address, "--state-dir", directory], workingDirectory: directory),
                new GrpcFunctionAgent(new Uri(address)));
            try
            {
                await Poll.UntilAsync(async () =>
                {
                    try
                    {
                        return (await started.Agent.Client.HeartbeatAsync(new Functions.Agent.Protocol.HeartbeatRequest { Owner = "t" })).AgentId.Length > 0;
                    }
                    catch (Grpc.Core.RpcException)
                    {
                        return false;
                    }
                }, s_wait, "the agent answers");
                return started;
            }
            catch
            {
                await started.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Agent.Dispose();
            await _process.DisposeAsync();
        }
    }

    private static async Task<JsonElement> NodeAsync((string Id, string Secret) key, string script, params string[] arguments)
    {
        var directory = Path.Combine(RepoPaths.Root, "tests", "aws-sdk");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "@aws-sdk", "client-lambda")), "tests/aws-sdk needs `npm ci` (test.sh runs it)");
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = key.Id, ["AWS_SECRET_ACCESS_KEY"] = key.Secret };
        var result = await ProcessRunner.RunAsync("node", [script, .. arguments], directory, TimeSpan.FromSeconds(60), environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout.Trim().Split('\n').Last()).RootElement.Clone();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PoolAsync(TestStack stack, string function) => await stack.AdminJsonAsync($"/v1/functions/{function}");

    private static async Task AssertOkAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Error)> ErrorAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    private static string? Single(JsonElement query, string name)
    {
        var value = query.GetProperty(name);
        return value.ValueKind == JsonValueKind.Array ? string.Join(",", value.EnumerateArray().Select(v => v.GetString())) : value.GetString();
    }

    private static string Token(string subject, string scope, string secret = Secret) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.test",
            Audience = "shoal-e2e",
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", scope)]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
}
