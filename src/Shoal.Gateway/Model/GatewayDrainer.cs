using Shoal.Catalog;

namespace Shoal.Gateway.Model;

/// <summary>Waits until the gateway has stopped sending new requests to a draining instance and its in-flight ones have finished.</summary>
internal sealed class GatewayDrainer(GatewayState state, IServiceCatalog catalog, TimeProvider time) : IInstanceDrainer
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(10);

    public async Task DrainAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            // First the gateway must have seen the draining flag, so no new request can pick the instance.
            await state.WaitForIndexAsync(catalog.Current.Index, deadline.Token).ConfigureAwait(false);
            while (state.FindDestination(instance.Service, instance.Id) is { ConcurrentRequestCount: > 0 })
            {
                await Task.Delay(s_poll, time, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Deadline reached: the caller stops the instance anyway.
        }
    }
}
