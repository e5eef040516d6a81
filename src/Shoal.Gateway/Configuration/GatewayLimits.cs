namespace Shoal.Gateway.Configuration;

/// <summary>How much the gateway's listener takes on: connections, upgraded connections, request bodies and proxy hops.</summary>
public sealed class GatewayLimits
{
    /// <summary>The default largest request body forwarded to a service: 100 MiB.</summary>
    public const long DefaultMaxRequestBody = 100L * 1024 * 1024;

    /// <summary>The default largest number of Shoal gateways a request may already have passed.</summary>
    public const int DefaultMaxHops = 10;

    /// <summary>Open client connections at most; over it Kestrel closes new connections at once.</summary>
    /// <value>Null for no cap; the daemon derives one from the file-descriptor limit (<see cref="Limits.ConnectionBudget"/>).</value>
    public long? MaxConnections { get; set; }

    /// <summary>Open connections one client address (an IPv6 /64) may hold; trusted proxies are exempt.</summary>
    /// <value>Null for no per-client cap.</value>
    public int? MaxConnectionsPerClient { get; set; }

    /// <summary>Open upgraded connections (WebSockets) at most; they do not count against <see cref="MaxConnections"/>.</summary>
    /// <value>Null for no cap.</value>
    public long? MaxUpgradedConnections { get; set; }

    /// <summary>The largest request body forwarded; a larger one gets 413.</summary>
    /// <value>Defaults to 100 MiB; null for no limit.</value>
    public long? MaxRequestBody { get; set; } = DefaultMaxRequestBody;

    /// <summary>A request that has passed more Shoal gateways than this gets 508 Loop Detected.</summary>
    /// <value>Defaults to 10; 1 to 255.</value>
    public int MaxHops { get; set; } = DefaultMaxHops;
}
