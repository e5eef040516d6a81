using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// An isolated replica (its own network namespace) reaches the services it depends on through the <c>API_URL</c> it is
/// given although the gateway listens on 127.0.0.1: a relay on the bridge's <c>.1</c> takes it there. The relay listens
/// on that address only, passes what it gets to the gateway as it is, and goes with the stack.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed partial class ServiceDiscoveryIsolationTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);

    private const string Template = """
        name: relay
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          api:
            command: [/usr/bin/python3, -m, http.server, "${PORT}", --bind, 127.0.0.1, --directory, "%www%"]
            port: auto
            health: { tcp: true, interval: 300ms }
            routes: ["/api/**"]
          caller:
            runtime: sandbox
            network: isolated
            depends_on: { api: { condition: healthy } }
            command: [sh, -c, "echo \"url=$$API_URL\"; for i in $$(seq 1 60); do if /bin/busybox wget -q -O - \"$$API_URL/api/hello.txt\"; then break; fi; sleep 0.5; done; exec sleep 600"]
        """;

    [Fact]
    public async Task IsolatedReplica_ReachesALoopbackGateway_ThroughARelayOnTheBridgeOnly_ThatGoesWithTheStack()
    {
        var www = Directory.CreateTempSubdirectory("shoal-relay-www-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(www, "api"));
            await File.WriteAllTextAsync(Path.Combine(www, "api", "hello.txt"), "hello-through-the-relay");
            await using var stack = await TestStack.StartAsync(Template.Replace("%www%", www, StringComparison.Ordinal));
            var log = Path.Combine(stack.Directory, ".shoal", "logs", "caller-1.log");

            await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("hello-through-the-relay", StringComparison.Ordinal), s_wait, "the isolated caller to fetch through ${API_URL}");

            var url = RelayUrl().Match(await File.ReadAllTextAsync(log));
            Assert.True(url.Success, await File.ReadAllTextAsync(log));
            var bridge = url.Groups["address"].Value;
            Assert.Equal(stack.GatewayPort.ToString(CultureInfo.InvariantCulture), url.Groups["port"].Value);

            // Hostile: the relay is on the bridge's address alone (never 0.0.0.0), and what it gets reaches the gateway
            // as it is, which refuses a malformed request itself.
            Assert.Equal(new[] { "127.0.0.1", bridge }.Order(StringComparer.Ordinal), (await ListenersAsync(stack.GatewayPort)).Order(StringComparer.Ordinal));
            Assert.StartsWith("HTTP/1.1 400", await RawAsync(bridge, stack.GatewayPort, "\u0001\u0002 not http\r\n\r\n"), StringComparison.Ordinal);

            var down = await stack.ShoalAsync("down");
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Empty(await ListenersAsync(stack.GatewayPort));
        }
        finally
        {
            Directory.Delete(www, recursive: true);
        }
    }

    /// <summary>The addresses something listens on at <paramref name="port"/> (TCP), from <c>ss</c>.</summary>
    private static async Task<List<string>> ListenersAsync(int port)
    {
        var ss = await ProcessRunner.RunAsync("ss", ["-Hltn", $"sport = :{port}"], timeout: TimeSpan.FromSeconds(10));
        Assert.True(ss.ExitCode == 0, ss.ToString());
        return ss.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])
            .Select(local => local[..local.LastIndexOf(':')].Trim('[', ']'))
            .ToList();
    }

    private static async Task<string> RawAsync(string address, int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [GeneratedRegex(@"url=http://(?<address>10\.213\.\d+\.1):(?<port>\d+)")]
    private static partial Regex RelayUrl();
}
