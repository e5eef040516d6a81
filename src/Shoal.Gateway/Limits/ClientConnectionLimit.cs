using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Shoal.Gateway.Limits;

/// <summary>Caps the connections one client address may hold open on a listener, so one client cannot take the whole connection cap.</summary>
public static class ClientConnectionLimit
{
    /// <summary>
    /// Adds the cap to <paramref name="listen"/>: a client address (an IPv4 address, an IPv6 /64) over
    /// <paramref name="perClient"/> open connections has its new ones closed at once; <paramref name="exempt"/> ranges
    /// (trusted proxies, which carry many clients) are not counted.
    /// </summary>
    public static void Use(ListenOptions listen, int perClient, IReadOnlyList<IPNetwork> exempt, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var counter = new ClientConnectionCounter(perClient, exempt, time, logger);
        listen.Use(next => connection => counter.RunAsync(connection, next));
    }
}
