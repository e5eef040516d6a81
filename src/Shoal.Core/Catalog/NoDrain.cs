namespace Shoal.Catalog;

/// <summary>A drainer for stacks without a gateway.</summary>
public sealed class NoDrain : IInstanceDrainer
{
    /// <inheritdoc />
    public Task DrainAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
}
