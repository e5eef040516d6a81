
namespace Shoal.Catalog;

/// <summary>Waits until an instance marked draining has no requests in flight. The gateway implements it; the default waits for nothing.</summary>
public interface IInstanceDrainer
{
    /// <summary>Completes when <paramref name="instance"/> has finished its in-flight requests or <paramref name="timeout"/> passed.</summary>
    Task DrainAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken);
}
