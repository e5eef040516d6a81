namespace Shoal.Gateway.Configuration;

/// <summary>The <c>gateway.limits:</c> section; a null cap is derived from the file-descriptor limit at start.</summary>
public sealed record GatewayLimitsDefinition
{
    /// <summary>The default largest proxied request body: 100 MiB.</summary>
    public const long DefaultMaxRequestBody = 100L * 1024 * 1024;

    /// <summary>Open gateway connections at most (<c>max_connections</c>).</summary>
    public long? MaxConnections { get; init; }

    /// <summary>Open gateway connections per client address (<c>max_connections_per_client</c>).</summary>
    public int? MaxConnectionsPerClient { get; init; }

    /// <summary>Open upgraded (WebSocket) gateway connections at most (<c>max_upgraded_connections</c>).</summary>
    public long? MaxUpgradedConnections { get; init; }

    /// <summary>Open admin connections at most (<c>admin_max_connections</c>).</summary>
    public long? AdminMaxConnections { get; init; }

    /// <summary>The largest proxied request body in bytes (<c>max_request_body</c>); null for <c>unlimited</c>.</summary>
    public long? MaxRequestBody { get; init; } = DefaultMaxRequestBody;

    /// <summary>Shoal gateways a request may pass before it is taken for a loop (<c>max_hops</c>).</summary>
    public int MaxHops { get; init; } = 10;
}
