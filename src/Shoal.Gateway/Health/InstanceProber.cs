using System.Net.Sockets;
using Shoal.Catalog;
using Shoal.Net;

namespace Shoal.Gateway.Health;

/// <summary>
/// The gateway's probe of an instance taken out of rotation, shared by passive health and stall detection: an HTTP GET
/// of its health path over one pooled client, or a TCP connect. Each caller decides what counts as back.
/// </summary>
internal sealed class InstanceProber(TimeProvider time) : IDisposable
{
    private readonly HttpMessageInvoker _client = new(UpstreamHandlers.Probe());

    /// <summary>True when the instance passes its health check within <paramref name="timeout"/>: a 2xx on its health path, or, without one, a TCP connect.</summary>
    public async Task<bool> IsHealthyAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            if (instance.Metadata.TryGetValue(ServiceInstance.HealthPathKey, out var path))
            {
                return await GetAsync(instance, path, linked.Token).ConfigureAwait(false) is >= 200 and < 300;
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(instance.Address, instance.Port, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>True when the instance answers an HTTP request on its health path (else <c>/</c>) within <paramref name="timeout"/>, whatever the status.</summary>
    public async Task<bool> AnswersAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var path = instance.Metadata.TryGetValue(ServiceInstance.HealthPathKey, out var health) ? health : "/";
        try
        {
            await GetAsync(instance, path, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<int> GetAsync(ServiceInstance instance, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{instance.Address}:{instance.Port}{path}"));
        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }
}
