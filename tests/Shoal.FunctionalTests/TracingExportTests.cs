using System.Diagnostics;
using System.Text;
using Shoal.Testing;
using Shoal.Testing.Otlp;

namespace Shoal.FunctionalTests;

/// <summary>
/// Export turned on by the daemon's environment alone (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, over gRPC), with the stack
/// file setting only the sampling: at 0 % new traces are dropped while a client's sampled trace is kept (parent-based).
/// </summary>
public sealed class TracingExportTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private static readonly HttpClient s_direct = new(new SocketsHttpHandler { UseProxy = false });

    [Fact]
    public async Task EnvironmentEndpoint_Grpc_ZeroSampling_KeepsTheClientsSampledTraceOnly()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var replicaPort = FreePort.Next();
        await using var replica = BackgroundProcess.SampleApp("ext-0", replicaPort);
        await using var stack = TestStack.Create("""
            name: exported
            gateway:
              listen: %gateway%
              admin: %admin%
            telemetry:
              traces:
                sampling: 0
            services:
              app:
                external: true
                routes: ["/api/**"]
            """);
        var up = await stack.ShoalAsync(
            new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.GrpcEndpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            },
            "up",
            "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        await Poll.UntilAsync(async () => await SucceedsAsync(s_direct, $"http://127.0.0.1:{replicaPort}/api/health"), s_wait, "the replica to listen");
        using (var content = new StringContent($$"""{"address":"127.0.0.1","port":{{replicaPort}}}""", Encoding.UTF8, "application/json"))
        using (var registered = await stack.AdminClient.PutAsync("/v1/services/app/instances/ext-0", content))
        {
            Assert.True(registered.IsSuccessStatusCode);
        }

        await Poll.UntilAsync(async () => await SucceedsAsync(stack.Client, "/api/health"), s_wait, "the gateway to route");
        var sampled = ActivityTraceId.CreateRandom().ToHexString();
        var unsampled = ActivityTraceId.CreateRandom().ToHexString();
        await SendAsync(stack.Client, $"00-{unsampled}-{ActivitySpanId.CreateRandom().ToHexString()}-00");
        await SendAsync(stack.Client, null);
        await SendAsync(stack.Client, $"00-{sampled}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        await Poll.UntilAsync(() => receiver.Trace(sampled).Any(s => s.Kind == "Server"), s_wait, "the sampled trace over gRPC");
        Assert.True(receiver.GrpcExports > 0);
        Assert.Equal(0, receiver.HttpExports);
        Assert.Contains(receiver.Trace(sampled), s => s.Name == "shoal.attempt");

        // Exports are in order: once the sampled trace arrived, anything of the two before it would have too.
        Assert.Empty(receiver.Trace(unsampled));
        Assert.All(receiver.Spans, s => Assert.Equal(sampled, s.TraceId));
    }

    [Fact]
    public async Task StandaloneAgent_EnvironmentEndpoint_ExportsItsStartSpanUnderTheGatewaysColdStart()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var exportTo = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.HttpEndpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        };
        var agentAddress = $"http://127.0.0.1:{FreePort.Next()}";
        var agentDirectory = Directory.CreateTempSubdirectory("shoal-agent-").FullName;
        await ShoalCli.EnsureBuiltAsync();
        await using var agent = BackgroundProcess.Start(RepoPaths.Shoal, ["agent", "--listen", agentAddress, "--state-dir", agentDirectory], exportTo, agentDirectory);
        await Poll.UntilAsync(() => Task.FromResult(Listening(new Uri(agentAddress).Port)), s_wait, "the agent to listen");
        await using var stack = TestStack.Create($$"""
            name: agented
            gateway:
              listen: %gateway%
              admin: %admin%
            functions:
              agent: {{agentAddress}}
            """);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "functions.yml"), "functions:\n" + FunctionStacks.Bash("echo"));
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "routing.yml"), "routes:\n  - { path: /echo, function: echo }\n");
        var up = await stack.ShoalAsync(exportTo, "up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());

        var trace = ActivityTraceId.CreateRandom().ToHexString();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent("{}") })
        {
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await stack.Client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        // The agent's span comes from its own process (service shoal-agent), under the daemon's cold start, one trace.
        await Poll.UntilAsync(() => receiver.Trace(trace).Any(s => s.Name == "shoal.agent.start") && receiver.Trace(trace).Any(s => s.Name == "shoal.function.cold_start"), s_wait, "the agent's and the daemon's spans");
        var spans = receiver.Trace(trace);
        var coldStart = Assert.Single(spans, s => s.Name == "shoal.function.cold_start");
        var started = Assert.Single(spans, s => s.Name == "shoal.agent.start");
        Assert.Equal("shoal-agent", started.Service);
        Assert.Equal("shoal", coldStart.Service);
        Assert.Equal(coldStart.SpanId, started.ParentSpanId);
        Assert.Equal("echo", started["faas.name"]);
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task SendAsync(HttpClient client, string? traceParent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        if (traceParent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        }

        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
    }

    private static async Task<bool> SucceedsAsync(HttpClient client, string url)
    {
        try
        {
            using var response = await client.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
