using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Redis;

/// <summary>The gateway's Redis connections, one per endpoint however many limits and session tables name it.</summary>
internal sealed class RedisLinks(GatewayOptions options, ILoggerFactory loggers, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RedisLink> _links = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger("Shoal.Gateway.Redis");

    /// <summary>
    /// The link for a stack file's <c>redis:</c> reference: <c>host:port</c> as written, or the name of a stack service
    /// the daemon gave an address (<see cref="GatewayOptions.RedisServices"/>). An unknown name gets a link that never
    /// connects, so its limits fail open or closed as configured.
    /// </summary>
    public RedisLink For(string reference)
    {
        var endpoint = options.RedisServices.TryGetValue(reference, out var address) ? address : reference;
        return _links.GetOrAdd(endpoint, e => new RedisLink(e, _logger, time));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links.Values)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }
}
