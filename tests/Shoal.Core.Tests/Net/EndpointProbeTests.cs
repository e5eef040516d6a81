using System.Net;
using System.Net.Sockets;
using Shoal.Net;

namespace Shoal.Core.Tests.Net;

public sealed class EndpointProbeTests
{
    [Fact]
    public async Task ConnectAsync_Listening_Connects_AndAClosedPortThrows()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        await EndpointProbe.ConnectAsync("127.0.0.1", port, CancellationToken.None);
        listener.Stop();

        await Assert.ThrowsAnyAsync<SocketException>(() => EndpointProbe.ConnectAsync("127.0.0.1", port, CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_NothingListening_ThrowsHttpRequestException()
    {
        using var probe = new EndpointProbe();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        await Assert.ThrowsAsync<HttpRequestException>(() => probe.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), CancellationToken.None));
    }
}
