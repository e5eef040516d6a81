using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shoal.Testing;
using Xunit.Abstractions;

namespace Shoal.FunctionalTests;

/// <summary>The daemon's limits end to end: a connection flood, registrations that would loop or reach metadata, loops between gateways, body sizes.</summary>
[Collection(TimedCollection.Name)]
public sealed partial class LimitsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>A stack-run service (web) and an external one (app) whose instances come over the API.</summary>
    private static string Mixed(string name = "limits", string gateway = "") => $$"""
        name: {{name}}
        gateway:
          listen: %gateway%
          admin: %admin%
        {{gateway}}
        services:
          web:
            command: [dotnet, "%sample%"]
            port: auto
            health: { http: /api/health, interval: 500ms }
            routes: ["/api/**"]
          app:
            external: true
            routes: ["/ext/**"]
        """;

    private static string ExternalOnly(string name) => $$"""
        name: {{name}}
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          app:
            external: true
            routes: ["/api/**"]
        """;

    private static async Task<(HttpStatusCode Status, string Body)> RegisterAsync(TestStack stack, string service, string address, int port)
    {
        using var content = new StringContent($$"""{"address":"{{address}}","port":{{port}}}""", Encoding.UTF8, "application/json");
        using var response = await stack.AdminClient.PutAsync($"/v1/services/{service}/instances/x-1", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registration_PointingAtItsOwnListenersMetadataOrAStackRunService_IsRefusedWithTheReason()
    {
        await using var stack = await TestStack.StartAsync(Mixed());

        var gateway = await RegisterAsync(stack, "app", "127.0.0.1", stack.GatewayPort);
        var viaLocalhost = await RegisterAsync(stack, "app", "localhost", stack.GatewayPort);
        var admin = await RegisterAsync(stack, "app", "0.0.0.0", stack.AdminPort);
        var metadata = await RegisterAsync(stack, "app", "169.254.169.254", 80);
        var managed = await RegisterAsync(stack, "web", "127.0.0.1", 5000);
        var fine = await RegisterAsync(stack, "app", "127.0.0.1", 5000);

        Assert.Equal(HttpStatusCode.Forbidden, gateway.Status);
        Assert.Contains($"address: 127.0.0.1:{stack.GatewayPort} is Shoal's own listener http://127.0.0.1:{stack.GatewayPort}: requests sent there would come back to the gateway in a loop", gateway.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, viaLocalhost.Status);
        Assert.Contains("is Shoal's own listener", viaLocalhost.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, admin.Status);
        Assert.Contains($"address: 0.0.0.0:{stack.AdminPort} is Shoal's own listener http://127.0.0.1:{stack.AdminPort}", admin.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, metadata.Status);
        Assert.Contains("address: 169.254.169.254 is a cloud metadata address (allow it with registry.allow_addresses)", metadata.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, managed.Status);
        Assert.Contains("service: 'web' is run by the stack", managed.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fine.Status);

        var instances = (await stack.AdminJsonAsync("/v1/services/app")).GetProperty("instances").EnumerateArray().ToList();
        Assert.Equal(5000, Assert.Single(instances).GetProperty("port").GetInt32());
        Assert.Equal("Registration refused", JsonDocument.Parse(metadata.Body).RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Registration_InAnAllowedRange_IsAccepted()
    {
        await using var stack = await TestStack.StartAsync(Mixed().Replace("services:", "registry:\n  allow_addresses: [169.254.0.0/16]\nservices:", StringComparison.Ordinal));

        var allowed = await RegisterAsync(stack, "app", "169.254.169.254", 80);
        var stillSelf = await RegisterAsync(stack, "app", "127.0.0.1", stack.GatewayPort);

        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal(HttpStatusCode.Forbidden, stillSelf.Status);
    }

    [Fact]
    public async Task TwoGatewaysRoutingToEachOther_AnswerLoopDetected_InsteadOfLooping()
    {
        await using var a = await TestStack.StartAsync(ExternalOnly("loop-a"));
        await using var b = await TestStack.StartAsync(ExternalOnly("loop-b"));
        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync(a, "app", "127.0.0.1", b.GatewayPort)).Status);
        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync(b, "app", "127.0.0.1", a.GatewayPort)).Status);

        var watch = Stopwatch.StartNew();
        using var response = await a.Client.GetAsync("/api/whoami");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode)508, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("came back to this gateway", body, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the loop took {watch.Elapsed} to stop");
    }

    [Fact]
    public async Task Request_WithTooManyHopsOrTooLargeABody_IsRefusedBeforeItIsForwarded()
    {
        await using var stack = await TestStack.StartAsync(Mixed(gateway: "  limits: { max_request_body: 1KB, max_hops: 4 }"));
        await Poll.UntilAsync(async () => (await stack.Client.GetAsync("/api/whoami")).IsSuccessStatusCode, s_wait, "web to serve");

        using var hopping = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        hopping.Headers.Add("x-shoal-hops", "4");
        using var hopped = await stack.Client.SendAsync(hopping);
        using var fewer = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        fewer.Headers.Add("x-shoal-hops", "3");
        using var passed = await stack.Client.SendAsync(fewer);

        Assert.Equal((HttpStatusCode)508, hopped.StatusCode);
        Assert.Contains("passed 4 Shoal gateways, the limit is 4", await hopped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);

        var large = "{\"requestNum\": 1, \"clientId\": \"" + new string('x', 4096) + "\"}";
        using var sized = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = new StringContent(large, Encoding.UTF8, "application/json") };
        sized.Headers.Add("X-Session-Id", "s");
        using var tooLarge = await stack.Client.SendAsync(sized);
        var chunkedTooLarge = await SendChunkedAsync(stack.GatewayPort, "/api/session", large);
        using var small = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = new StringContent("{\"requestNum\": 1}", Encoding.UTF8, "application/json") };
        small.Headers.Add("X-Session-Id", "s");
        using var fits = await stack.Client.SendAsync(small);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("at most 1024 bytes (gateway.limits.max_request_body)", await tooLarge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 413 ", chunkedTooLarge, StringComparison.Ordinal);
        Assert.Contains("at most 1024 bytes (gateway.limits.max_request_body)", chunkedTooLarge, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/v1/stack/services/web/replicas")]
    [InlineData("PUT", "/v1/services/web/strategy")]
    [InlineData("POST", "/v1/services/web/deployments")]
    [InlineData("PUT", "/v1/services/app/instances/x-1")]
    public async Task AdminBody_OverItsCap_Is413NotAServerError(string method, string path)
    {
        await using var stack = await TestStack.StartAsync(Mixed());
        var padded = "{\"pad\": \"" + new string('x', 100 * 1024) + "\"}";

        using var sized = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(padded, Encoding.UTF8, "application/json") };
        using var response = await stack.AdminClient.SendAsync(sized);
        var chunked = await SendChunkedAsync(stack.AdminPort, path, padded, method, stack.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("HTTP/1.1 413 ", chunked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwentyThousandIdleConnections_DaemonLivesAndStillAnswersOtherClients()
    {
        await using var stack = await TestStack.StartAsync(Mixed());
        await Poll.UntilAsync(async () => (await stack.Client.GetAsync("/api/whoami")).IsSuccessStatusCode, s_wait, "web to serve");
        var daemon = stack.RecordedPids()["shoal"];
        var log = await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "shoal.log"));
        var caps = CapsLine().Match(log);
        Assert.True(caps.Success, "the daemon logs its connection caps:\n" + log);
        var descriptors = long.Parse(caps.Groups["fds"].Value, CultureInfo.InvariantCulture);
        var perClient = int.Parse(caps.Groups["perClient"].Value, CultureInfo.InvariantCulture);
        var adminPerClient = int.Parse(caps.Groups["admin"].Value, CultureInfo.InvariantCulture) / 2;
        var before = OpenDescriptors(daemon);
        var rssBefore = ProcessUtil.RssBytes(daemon);

        // 22,000 sockets are more than one process may open here (a hard limit of 20,000 that even root cannot raise
        // without CAP_SYS_RESOURCE): the flood comes from three shells, each holding its connections from 127.0.0.1.
        var watch = Stopwatch.StartNew();
        await using var flood1 = Flood(stack.GatewayPort, 10_000);
        await using var flood2 = Flood(stack.GatewayPort, 10_000);
        await using var flood3 = Flood(stack.AdminPort, 2_000);
        await Poll.UntilAsync(() => new[] { flood1, flood2, flood3 }.All(f => f.Lines.Any(l => l.StartsWith("opened", StringComparison.Ordinal))), TimeSpan.FromSeconds(60), "the shells to open their connections");
        var opened = new[] { flood1, flood2, flood3 }.Select(f => int.Parse(f.Lines.First(l => l.StartsWith("opened", StringComparison.Ordinal))["opened ".Length..], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(opened[0] + opened[1] >= 19_000 && opened[2] >= 1_900, $"opened {opened[0] + opened[1]} of 20000 and {opened[2]} of 2000 in {watch.Elapsed}");

        // The listeners keep what one client may hold and close the rest: the daemon's descriptors stay bounded.
        var bound = before + perClient + adminPerClient + 64;
        await Poll.UntilAsync(() => OpenDescriptors(daemon) <= bound, s_wait, $"the daemon to hold at most {bound} descriptors");
        var held = OpenDescriptors(daemon);
        Assert.True(held >= before + (perClient / 2), $"the daemon holds {held} descriptors: it kept fewer connections than one client may hold ({perClient})");
        Assert.True(held < descriptors, $"the daemon holds {held} of its {descriptors} descriptors");

        // An idle connection costs Kestrel's state for it (no read buffer until data comes: the zero-byte read), 16-24 KB
        // of resident memory in all here with the heap's growth: the memory a flood can take is bounded by the connections
        // kept, and a change that made each cost several times that would show.
        var perConnection = (ProcessUtil.RssBytes(daemon) - rssBefore) / Math.Max(1, held - before);
        Assert.True(perConnection < 64 * 1024, $"each idle connection the daemon holds costs {perConnection / 1024} KB of resident memory ({held - before} connections)");
        output.WriteLine($"{held - before} idle connections held, {perConnection / 1024.0:F1} KB resident each");

        // While they are held, another client (another address) is still served, on new connections.
        using var other = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectCallback = ConnectFromAsync(IPAddress.Parse("127.0.0.4")) }) { Timeout = TimeSpan.FromSeconds(10) };
        using var health = await other.GetAsync(new Uri(stack.Admin, "/healthz"));
        using var proxied = await other.GetAsync(new Uri(stack.Gateway, "/api/whoami"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.True(ProcessUtil.IsAlive(daemon));

        await flood1.KillAsync();
        await flood2.KillAsync();
        await flood3.KillAsync();
        await Poll.UntilAsync(async () => (await stack.Client.GetAsync("/api/whoami")).IsSuccessStatusCode, s_wait, "the gateway to serve after the flood");
        Assert.True(ProcessUtil.IsAlive(daemon));
    }

    [Fact]
    public async Task AdminConnectionsOverThePerClientLimit_AreReportedInTheDaemonsLog()
    {
        await using var stack = await TestStack.StartAsync(ExternalOnly("adminlog"));
        var logFile = Path.Combine(stack.Directory, ".shoal", "shoal.log");
        var caps = CapsLine().Match(await File.ReadAllTextAsync(logFile));
        Assert.True(caps.Success, "the daemon logs its connection caps");
        var adminPerClient = int.Parse(caps.Groups["admin"].Value, CultureInfo.InvariantCulture) / 2;

        // One client over the admin listener's per-client limit: the refusals are the daemon's to report, as the
        // gateway's are, in shoal.log under the admin's category.
        await using var flood = Flood(stack.AdminPort, adminPerClient + 50);
        await Poll.UntilAsync(() => flood.Lines.Any(l => l.StartsWith("opened", StringComparison.Ordinal)), s_wait, "the shell to open its connections");
        await Poll.UntilAsync(
            async () => (await File.ReadAllTextAsync(logFile)).Contains("Shoal.Admin[2401]", StringComparison.Ordinal),
            s_wait,
            "the admin listener's refusal in shoal.log");
        await flood.KillAsync();
    }

    /// <summary>A shell that opens <paramref name="count"/> connections to the port, says how many it opened, and holds them (idle) until killed.</summary>
    private static BackgroundProcess Flood(int port, int count) =>
        BackgroundProcess.Start("bash", ["-c", $$"""
            n=0
            for ((i=0; i<{{count}}; i++)); do { exec {fd}<>/dev/tcp/127.0.0.1/{{port}}; } 2>/dev/null && n=$((n+1)); done
            echo "opened $n"
            exec sleep 120
            """]);

    private static int OpenDescriptors(int pid) => System.IO.Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFromAsync(IPAddress from) => async (context, ct) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    [GeneratedRegex(@"Open-file limit (?<fds>\d+): gateway connections at most \d+ \((?<perClient>\d+) per client, \d+ upgraded\), admin connections (?<admin>\d+)")]
    private static partial Regex CapsLine();

    /// <summary>Sends a body chunked (no Content-Length) over a raw connection and reads the whole answer; the server closes the connection after refusing it.</summary>
    private static async Task<string> SendChunkedAsync(int port, string path, string body, string method = "POST", string? token = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var authorization = token is null ? "" : $"Authorization: Bearer {token}\r\n";
        var request = $"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{authorization}X-Session-Id: s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
