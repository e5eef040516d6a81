using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Orchestration.Lifecycle;
using Shoal.Testing;

namespace Shoal.Orchestration.Tests.Lifecycle;

/// <summary>The relay from the isolation bridge to a loopback gateway: bytes both ways with half-closes, a cap on connections, and an end to all of them.</summary>
public sealed class GatewayRelayTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly TcpListener _gateway = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private Task? _serving;

    public Task InitializeAsync()
    {
        _gateway.Start();

        // An echo server that upper-cases what it reads and closes its side once the client closed its own.
        _serving = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _gateway.AcceptTcpClientAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    // Stopped.
                    return;
                }

                lock (_accepted)
                {
                    _accepted.Add(client);
                }

                _ = Task.Run(async () =>
                {
                    var stream = client.GetStream();
                    var buffer = new byte[1024];
                    int read;
                    try
                    {
                        while ((read = await stream.ReadAsync(buffer)) > 0)
                        {
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(buffer, 0, read).ToUpperInvariant()));
                        }

                        client.Client.Shutdown(SocketShutdown.Send);
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                    {
                    }
                });
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _gateway.Stop();
        await _serving!;
        lock (_accepted)
        {
            _accepted.ForEach(c => c.Dispose());
        }
    }

    private GatewayRelay NewRelay(int maxConnections = GatewayRelay.DefaultMaxConnections, string clients = "127.0.0.0/8") =>
        new(new IPEndPoint(IPAddress.Loopback, 0), IPNetwork.Parse(clients), (IPEndPoint)_gateway.LocalEndpoint, NullLogger.Instance, TimeProvider.System, maxConnections);

    private static async Task<TcpClient> ConnectAsync(GatewayRelay relay)
    {
        var client = new TcpClient();
        await client.ConnectAsync(relay.Endpoint);
        return client;
    }

    // Sends the text, closes the sending side, and reads what comes back until the relay closes its side too.
    private static async Task<string> SendAndCloseAsync(GatewayRelay relay, string text)
    {
        using var client = await ConnectAsync(relay);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        client.Client.Shutdown(SocketShutdown.Send);
        return await ReadToEndAsync(stream);
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(s_wait);
    }

    [Fact]
    public async Task Relay_PassesBytesBothWays_AndAHalfCloseEachWay()
    {
        await using var relay = NewRelay();

        Assert.Equal("GET /API HTTP/1.1\r\n", await SendAndCloseAsync(relay, "get /api HTTP/1.1\r\n"));
    }

    [Fact]
    public async Task Relay_AtItsCap_ClosesFurtherConnectionsAtOnce_AndTakesThemAgainOnceOneEnds()
    {
        await using var relay = NewRelay(maxConnections: 1);
        using (var first = await ConnectAsync(relay))
        {
            await Poll.UntilAsync(() => relay.Connections == 1, s_wait, "the first connection relayed");
            using var second = await ConnectAsync(relay);

            Assert.Equal(string.Empty, await ReadToEndAsync(second.GetStream()));
        }

        await Poll.UntilAsync(() => relay.Connections == 0, s_wait, "the first connection ended");
        Assert.Equal("X", await SendAndCloseAsync(relay, "x"));
    }

    [Fact]
    public async Task Relay_AClientFromOutsideItsSubnet_IsClosedUnrelayed()
    {
        await using var relay = NewRelay(clients: "10.213.7.0/24");
        using var client = await ConnectAsync(relay);

        Assert.Equal(string.Empty, await ReadToEndAsync(client.GetStream()));
        Assert.Equal(0, relay.Connections);
        lock (_accepted)
        {
            Assert.Empty(_accepted);
        }
    }

    [Fact]
    public async Task Dispose_StopsListening_AndEndsTheRelayedConnections()
    {
        var relay = NewRelay();
        using var client = await ConnectAsync(relay);
        await Poll.UntilAsync(() => relay.Connections == 1, s_wait, "the connection relayed");

        await relay.DisposeAsync().AsTask().WaitAsync(s_wait);

        Assert.Equal(string.Empty, await ReadToEndAsync(client.GetStream()));
        await Assert.ThrowsAsync<SocketException>(async () => await ConnectAsync(relay));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1")]
    [InlineData("http://127.0.0.5:8080", "127.0.0.5")]
    [InlineData("http://localhost:8080", "127.0.0.1")]
    [InlineData("http://[::1]:8080", "::1")]
    [InlineData("http://0.0.0.0:8080", null)]
    [InlineData("http://192.168.1.5:8080", null)]
    public void Loopback_IsTheAddressARelayForwardsTo_OnlyForALoopbackGateway(string listen, string? expected)
    {
        Assert.Equal(expected, GatewayRelays.Loopback(new Uri(listen))?.ToString());
    }
}
