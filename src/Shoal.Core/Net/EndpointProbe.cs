using System.Net.Sockets;

namespace Shoal.Net;

/// <summary>
/// The one way Shoal probes an endpoint, shared by the gateway (readmitting an instance it took out of rotation) and the
/// supervisor (a replica's health check): an HTTP GET over a pooled probe client, or a TCP connect. Callers own the
/// timeout (a token) and decide what a status means.
/// </summary>
public sealed class EndpointProbe : IDisposable
{
    private readonly HttpMessageInvoker _client = new(UpstreamHandlers.Probe());

    /// <summary>The status of a GET of <paramref name="uri"/>; throws <see cref="HttpRequestException"/> when nothing answers.</summary>
    public async Task<int> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    /// <summary>Opens and closes a TCP connection to <paramref name="host"/>:<paramref name="port"/>; throws <see cref="SocketException"/> when nothing listens.</summary>
    public static async Task ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}
