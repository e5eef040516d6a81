using System.Net.Sockets;
using Shoal.Catalog;
using Shoal.Net;

namespace Shoal.Gateway.Health;

/// <summary>
/// The gateway's probe of an instance taken out of rotation, shared by passive health and stall detection, over the
/// one <see cref="EndpointProbe"/>: a GET of its health path, or a TCP connect. Each caller decides what counts as back.
/// </summary>
internal sealed class InstanceProber(TimeProvider time) : IDisposable
{
    private readonly EndpointProbe _probe = new();

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

            await EndpointProbe.ConnectAsync(instance.Address, instance.Port, linked.Token).ConfigureAwait(false);
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

    public void Dispose() => _probe.Dispose();

    private Task<int> GetAsync(ServiceInstance instance, string path, CancellationToken cancellationToken) =>
        _probe.GetAsync(new Uri($"http://{instance.Address}:{instance.Port}{path}"), cancellationToken);
}
