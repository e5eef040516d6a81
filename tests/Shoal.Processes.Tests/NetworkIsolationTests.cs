using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Shoal.Processes.Networking;
using Shoal.Testing;

namespace Shoal.Processes.Tests;

/// <summary><c>network: isolated</c> through a real runtime: the host reaches the instance at its own address, the instance does not reach the host's loopback.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class NetworkIsolationTests : RuntimeTestBase
{
    private static readonly string Busybox = "/bin/busybox";

    private ProcessSpec Isolated(string script, NetworkLease? lease) =>
        Shell(script) with { Isolation = new IsolationOptions { Network = NetworkMode.Isolated, Lease = lease } };

    [Fact]
    public async Task Isolated_ProgramStartsWithItsAddressAndTheHostReachesIt()
    {
        using var lease = BridgeNetwork.Shared.Acquire();
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(Directory, "index.html"), "inside");

        // The first thing the program does is print its address: the gate must have held it until the veth was in.
        var spec = Isolated($"{Busybox} ip -o -4 addr show eth0; exec {Busybox} httpd -f -p 0.0.0.0:{port} -h {Directory}", lease);
        await StartAsync(spec);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var url = $"http://{lease.Address}:{port}/index.html";
        string? body = null;
        await Poll.UntilAsync(async () => (body = await client.GetStringAsync(url)) is not null, TimeSpan.FromSeconds(10), "the isolated httpd to answer");

        Assert.Equal("inside", body);
        Assert.Contains($"inet {lease.Address}/24", await File.ReadAllTextAsync(spec.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isolated_CannotReachTheHostsLoopback()
    {
        using var lease = BridgeNetwork.Shared.Acquire();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var accepted = listener.AcceptTcpClientAsync();

        var script = $"{Busybox} nc -w 2 127.0.0.1 {port} </dev/null && echo loopback-reached || echo loopback-refused; "
            + $"{Busybox} nc -w 2 {lease.HostAddress} {port} </dev/null && echo host-reached || echo host-refused";
        var output = await RunAsync(Isolated(script, lease));

        Assert.Contains("loopback-refused", output, StringComparison.Ordinal);
        Assert.Contains("host-refused", output, StringComparison.Ordinal);
        Assert.False(accepted.IsCompleted, "the host's loopback listener accepted a connection from the isolated instance");
    }

    [Fact]
    public async Task Isolated_WithoutALease_TakesOneAndGivesItBackWithTheBridge()
    {
        var bridge = BridgeNetwork.Shared.Name;
        var output = await RunAsync(Isolated($"{Busybox} ip -o -4 addr show eth0", lease: null));

        Assert.Contains("inet 10.213.", output, StringComparison.Ordinal);

        // The last lease takes the bridge with it.
        await Poll.UntilAsync(() => !System.IO.Directory.Exists("/sys/class/net/" + bridge), TimeSpan.FromSeconds(10), "the bridge to go");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
