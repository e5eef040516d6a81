using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Shoal.Testing;
using Shoal.Testing.Otlp;

namespace Shoal.FunctionalTests;

/// <summary>
/// Traces, forwarded headers and the debug header through the real <c>./shoal</c>: spans exported over OTLP to a receiver
/// in the test, a replica that echoes the headers it got, and a bash function that echoes its Lambda-Runtime-Trace-Id.
/// One stack for the class: the gateway on all addresses, so a request from this host's non-loopback address is an
/// untrusted client.
/// </summary>
public sealed class TracingTests(TracingTests.TracedStack traced) : IClassFixture<TracingTests.TracedStack>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ProxiedRequest_GatewaySpan_AttemptSpan_TheReplicasParentIsTheAttempt_WithForwardedHeaders()
    {
        var (trace, parent) = NewTrace();
        using var response = await traced.SendAsync(traced.Loopback, "/api/headers", trace, parent, ("X-Forwarded-For", "6.6.6.6"), ("x-shoal-debug", "1"));
        var received = await Echoed(response);

        var spans = await traced.SpansAsync(trace, s => s.Kind == "Client" && s.Name == "shoal.attempt" && s["shoal.instance"] == "ext-0");
        var server = Assert.Single(spans, s => s.Kind == "Server");
        Assert.Equal(parent, server.ParentSpanId);
        Assert.Equal("GET app", server.Name);
        Assert.Equal("tracing-test", server.Service);
        Assert.Contains(spans, s => s.Name == "shoal.route" && s.ParentSpanId == server.SpanId && s["shoal.strategy"] == "round-robin");
        var answered = spans.Single(s => s.Name == "shoal.attempt" && s["shoal.instance"] == "ext-0");
        Assert.Equal(server.SpanId, answered.ParentSpanId);

        // The replica got one traceparent: the attempt's, in the client's trace.
        Assert.Equal([$"00-{trace}-{answered.SpanId}-01"], received["traceparent"]);

        // The client on loopback is not a trusted proxy: its X-Forwarded-For is replaced by what the gateway saw.
        Assert.Equal(["127.0.0.1"], received["x-forwarded-for"]);
        Assert.Equal(["http"], received["x-forwarded-proto"]);
        Assert.Equal([$"127.0.0.1:{traced.Port}"], received["x-forwarded-host"]);
        Assert.False(received.ContainsKey("x-shoal-debug"));

        // Asked from loopback, the debug header is answered.
        Assert.Equal(trace, Header(response, "x-shoal-trace-id"));
        Assert.Equal("round-robin", Header(response, "x-shoal-strategy"));
        Assert.Equal("ext-0", Header(response, "x-shoal-instance"));
        Assert.NotNull(Header(response, "x-shoal-candidates"));
        Assert.Equal(spans.Count(s => s.Name == "shoal.attempt").ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "x-shoal-attempts"));
    }

    [Fact]
    public async Task RetriedRequest_TwoAttemptSpans_TheRefusedOneFailed_TheReplicaGotTheSecondAsParent()
    {
        // An instance nobody listens for: the attempt that picks it is refused and retried on the replica.
        var dead = await traced.RegisterAsync("dead-" + Guid.NewGuid().ToString("N")[..6], FreePort.Next());
        string trace = "", parent;
        Dictionary<string, string[]> received = [];
        await Poll.UntilAsync(async () =>
        {
            (trace, parent) = NewTrace();
            using var response = await traced.SendAsync(traced.Loopback, "/api/headers", trace, parent, ("x-shoal-debug", "1"));
            received = await Echoed(response);
            return Header(response, "x-shoal-attempts") == "2";
        }, s_wait, $"a request routed first to {dead}");

        var spans = await traced.SpansAsync(trace, s => s.Name == "shoal.attempt" && s["shoal.attempt"] == "2");
        var server = Assert.Single(spans, s => s.Kind == "Server");
        var attempts = spans.Where(s => s.Name == "shoal.attempt").OrderBy(s => s["shoal.attempt"]).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.All(attempts, a => Assert.Equal(server.SpanId, a.ParentSpanId));
        Assert.Equal(dead, attempts[0]["shoal.instance"]);
        Assert.Equal("Error", attempts[0].Status);
        Assert.Equal("ext-0", attempts[1]["shoal.instance"]);
        Assert.Equal("true", attempts[1]["shoal.retry"]);
        Assert.Equal([$"00-{trace}-{attempts[1].SpanId}-01"], received["traceparent"]);
    }

    [Fact]
    public async Task FunctionInvocations_QueueColdStartAndInvokeSpans_TheRuntimeGetsTheSameTrace()
    {
        // concurrency.max 1 and a handler that takes 300 ms: of two at once, one starts the instance, the other queues.
        var (first, firstParent) = NewTrace();
        var (second, secondParent) = NewTrace();
        var calls = new[] { traced.SendAsync(traced.Loopback, "/fn", first, firstParent), traced.SendAsync(traced.Loopback, "/fn", second, secondParent) };
        var responses = await Task.WhenAll(calls);
        var bodies = new Dictionary<string, string>();
        foreach (var (response, trace) in responses.Zip([first, second]))
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                bodies[trace] = (await response.Content.ReadAsStringAsync()).Trim();
            }
        }

        var spans = (await traced.SpansAsync(first, s => s.Name == "shoal.function.invoke")).Concat(await traced.SpansAsync(second, s => s.Name == "shoal.function.invoke")).ToArray();
        Assert.Contains(spans, s => s.Name == "shoal.function.queue");

        // One of the two started the instance; the agent's start (over gRPC) hangs under the pool's cold start.
        var coldStart = Assert.Single(spans, s => s.Name == "shoal.function.cold_start");
        Assert.Contains(spans, s => s.Name == "shoal.agent.start" && s.ParentSpanId == coldStart.SpanId && s.TraceId == coldStart.TraceId);
        foreach (var trace in new[] { first, second })
        {
            var server = Assert.Single(spans, s => s.TraceId == trace && s.Name == "GET");
            var invoke = Assert.Single(spans, s => s.TraceId == trace && s.Name == "shoal.function.invoke");
            Assert.Equal(server.SpanId, invoke.ParentSpanId);
            Assert.Equal("traced", invoke["faas.name"]);

            // The runtime's X-Ray header is the same trace, its parent the invoke span, sampled.
            Assert.Equal($"Root=1-{trace[..8]}-{trace[8..]};Parent={invoke.SpanId};Sampled=1", bodies[trace]);
        }
    }

    [Fact]
    public async Task UntrustedClient_DebugHeaderIgnored_ItsSpoofedForwardingHeadersReplacedOrRemoved()
    {
        var (trace, parent) = NewTrace();
        using var client = traced.ClientOn(traced.External);
        using var response = await traced.SendAsync(
            client, "/api/headers", trace, parent, ("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-Proto", "https"), ("Forwarded", "for=1.2.3.4;proto=https"), ("X-Forwarded-Prefix", "/admin"), ("x-shoal-debug", "1"));
        var received = await Echoed(response);

        Assert.Equal([traced.External.ToString()], received["x-forwarded-for"]);
        Assert.Equal(["http"], received["x-forwarded-proto"]);

        // The gateway writes X-Forwarded-* (the default): the other scheme's header, unvouched for, is dropped.
        Assert.False(received.ContainsKey("forwarded"), "the client's Forwarded reached the replica");
        Assert.False(received.ContainsKey("x-forwarded-prefix"));
        Assert.False(received.ContainsKey("x-shoal-debug"));
        Assert.Null(Header(response, "x-shoal-trace-id"));
        Assert.Null(Header(response, "x-shoal-strategy"));
        Assert.Null(Header(response, "x-shoal-attempts"));
    }

    private static (string Trace, string Parent) NewTrace() =>
        (ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static async Task<Dictionary<string, string[]>> Echoed(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<Dictionary<string, string[]>>(body)!;
    }

    /// <summary>The class's stack: an external service with one sample replica, a bash function, traces to an in-test receiver.</summary>
    public sealed class TracedStack : IAsyncLifetime
    {
        private const string Handler = """
            function handler () {
              sleep 0.3
              grep -i '^Lambda-Runtime-Trace-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\r\n'
            }
            """;

        private OtlpReceiver? _receiver;
        private BackgroundProcess? _replica;
        private TestStack? _stack;

        public int Port { get; } = FreePort.Next();

        public HttpClient Loopback { get; private set; } = null!;

        /// <summary>This host's first non-loopback IPv4 address: a client from it is neither loopback nor a trusted proxy.</summary>
        public IPAddress External { get; } = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

        public OtlpReceiver Receiver => _receiver!;

        public async Task InitializeAsync()
        {
            _receiver = await OtlpReceiver.StartAsync();
            var replicaPort = FreePort.Next();
            _replica = BackgroundProcess.SampleApp("ext-0", replicaPort);
            var code = IsolationCode.Bash(Handler);
            _stack = TestStack.Create($$"""
                name: traced
                gateway:
                  listen: http://0.0.0.0:{{Port}}
                  admin: %admin%
                telemetry:
                  traces:
                    otlp: { endpoint: "{{_receiver.HttpEndpoint}}", protocol: http/protobuf }
                    service_name: tracing-test
                functions:
                  janitor_interval: 200ms
                services:
                  app:
                    external: true
                    routes: ["/api/**"]
                """);
            await File.WriteAllTextAsync(Path.Combine(_stack.Directory, "functions.yml"), $"functions:\n  traced:\n    command: [bash, bootstrap]\n    handler: function.handler\n    code: {code}\n    concurrency: {{ max: 1 }}\n");
            await File.WriteAllTextAsync(Path.Combine(_stack.Directory, "routing.yml"), "routes:\n  - { path: /fn, function: traced }\n");

            // Export every 100 ms rather than every 5 s, so a test waits for its spans a moment, not seconds.
            var up = await _stack.ShoalAsync(new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "100" }, "up", "-d");
            Assert.True(up.ExitCode == 0, up.ToString());
            Loopback = ClientOn(IPAddress.Loopback);
            await Poll.UntilAsync(async () => await ReachableAsync($"http://127.0.0.1:{replicaPort}/api/health"), s_wait, "the replica to listen");
            await RegisterAsync("ext-0", replicaPort);
            await Poll.UntilAsync(async () =>
            {
                using var response = await Loopback.GetAsync("/api/health");
                return response.IsSuccessStatusCode;
            }, s_wait, "the gateway to route to the replica");
        }

        public HttpClient ClientOn(IPAddress address) =>
            new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{address}:{Port}"), Timeout = s_wait };

        public async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string trace, string parent, params (string Name, string Value)[] headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{trace}-{parent}-01");
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return await client.SendAsync(request);
        }

        /// <summary>Registers an instance of the external service; returns its id.</summary>
        public async Task<string> RegisterAsync(string id, int port)
        {
            using var content = new StringContent($$"""{"address":"127.0.0.1","port":{{port}}}""", Encoding.UTF8, "application/json");
            using var response = await _stack!.AdminClient.PutAsync($"/v1/services/app/instances/{id}", content);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return id;
        }

        /// <summary>The spans of <paramref name="trace"/> once one matches <paramref name="last"/> (spans arrive in batches).</summary>
        public async Task<IReadOnlyList<ReceivedSpan>> SpansAsync(string trace, Func<ReceivedSpan, bool> last)
        {
            await Poll.UntilAsync(() => Receiver.Trace(trace).Any(last) && Receiver.Trace(trace).Any(s => s.Kind == "Server"), s_wait, $"the spans of trace {trace}");
            return Receiver.Trace(trace);
        }

        public async Task DisposeAsync()
        {
            Loopback?.Dispose();
            if (_stack is not null)
            {
                await _stack.DisposeAsync();
            }

            if (_replica is not null)
            {
                await _replica.DisposeAsync();
            }

            if (_receiver is not null)
            {
                await _receiver.DisposeAsync();
            }
        }

        private static async Task<bool> ReachableAsync(string url)
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            try
            {
                using var response = await http.GetAsync(url);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }
    }
}
