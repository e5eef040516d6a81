namespace Shoal.Gateway.Configuration;

/// <summary>How the gateway listens and where it sends each path.</summary>
public sealed class GatewayOptions
{
    /// <summary>The public listener.</summary>
    /// <value>Defaults to <c>http://127.0.0.1:8080</c>.</value>
    public Uri Listen { get; set; } = new("http://127.0.0.1:8080");

    /// <summary>The routes, each a path pattern and the service it goes to.</summary>
    public IList<RouteDefinition> Routes { get; } = [];

    /// <summary>Per-service settings, by service name; services not listed use the defaults.</summary>
    public IDictionary<string, ServiceRoutingOptions> Services { get; } = new Dictionary<string, ServiceRoutingOptions>(StringComparer.Ordinal);

    /// <summary>Proxies whose X-Forwarded-For the client-address strategies believe.</summary>
    public IList<System.Net.IPNetwork> TrustedProxies { get; } = [];

    /// <summary>Which forwarded headers replicas get (<c>gateway.forwarded_headers</c>).</summary>
    /// <value>Defaults to <see cref="Forwarding.ForwardedHeadersMode.XForwarded"/>.</value>
    public Forwarding.ForwardedHeadersMode ForwardedHeaders { get; set; } = Forwarding.ForwardedHeadersMode.XForwarded;

    /// <summary>Connection, body and hop limits.</summary>
    public GatewayLimits Limits { get; set; } = new();

    /// <summary>This gateway's name in the <c>Via</c> header it adds (<c>1.1 shoal-ID</c>): a request that comes back carrying it is a loop.</summary>
    /// <value>Defaults to 12 random hex digits, new each start.</value>
    public string Id { get; set; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>Whether the gateway records metrics (<c>gateway.metrics</c>).</summary>
    /// <value>Defaults to true.</value>
    public bool Metrics { get; set; } = true;

    /// <summary>The access log, or null for none (<c>gateway.access_log</c>).</summary>
    public Telemetry.AccessLogSettings? AccessLog { get; set; }

    /// <summary>Where the gateway announces ejections (the daemon's event stream).</summary>
    public Shoal.Events.IPlatformEvents Events { get; set; } = Shoal.Events.PlatformEvents.None;

    /// <summary>
    /// Where the stack's Redis services listen, by service name (<c>127.0.0.1:PORT</c>, <c>,password=…</c> after it for a redis template), for the <c>redis: NAME</c> of
    /// rate limits and session tables; a <c>redis:</c> value not listed here is used as <c>host:port</c>.
    /// </summary>
    public IDictionary<string, string> RedisServices { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The settings for one service.</summary>
    public ServiceRoutingOptions For(string service) =>
        Services.TryGetValue(service, out var options) ? options : ServiceRoutingOptions.Default;
}
