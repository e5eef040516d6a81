using Microsoft.Extensions.Hosting;

namespace Shoal.Http;

/// <summary>A host lifetime that ignores process signals: for hosts embedded in a process that orders its own shutdown (drain first, then stop listeners).</summary>
public sealed class EmbeddedHostLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
