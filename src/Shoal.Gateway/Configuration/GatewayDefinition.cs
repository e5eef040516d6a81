using Shoal.Configuration;

namespace Shoal.Gateway.Configuration;

/// <summary>The <c>gateway:</c> section.</summary>
public sealed record GatewayDefinition : IClaimsPorts
{
    /// <summary>The default public listener.</summary>
    public static readonly Uri DefaultListen = new("http://127.0.0.1:8080");

    /// <summary>The default admin listener.</summary>
    public static readonly Uri DefaultAdmin = new("http://127.0.0.1:9901");

    /// <summary>Where clients reach the services.</summary>
    public Uri Listen { get; init; } = DefaultListen;

    /// <summary>Where the admin API listens.</summary>
    public Uri Admin { get; init; } = DefaultAdmin;

    /// <summary>The bearer token the admin API needs on TCP (<c>gateway.admin_token</c>, overridden by <c>SHOAL_ADMIN_TOKEN</c>); null to have <c>up</c> generate one.</summary>
    public string? AdminToken { get; init; }

    /// <summary>A second token that may also deploy commands the stack file does not name (<c>gateway.operator_token</c>, overridden by <c>SHOAL_OPERATOR_TOKEN</c>); null for none.</summary>
    public string? OperatorToken { get; init; }

    /// <summary>Assemblies (or .csproj files, built once) with custom load-balancing strategies.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>Proxies whose <c>X-Forwarded-For</c> is believed (addresses or CIDR ranges).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Which forwarded headers replicas get (<c>gateway.forwarded_headers</c>: x-forwarded, forwarded, both or none).</summary>
    public Forwarding.ForwardedHeadersMode ForwardedHeaders { get; init; } = Forwarding.ForwardedHeadersMode.XForwarded;

    /// <summary>Connection caps, body size and hop limit (<c>gateway.limits</c>).</summary>
    public GatewayLimitsDefinition Limits { get; init; } = new();

    /// <summary>Whether the gateway records metrics and the admin listener serves <c>/metrics</c> (<c>gateway.metrics</c>, default true).</summary>
    public bool Metrics { get; init; } = true;

    /// <summary>Whether <c>/metrics</c> is served without the admin token (<c>gateway.metrics_public</c>, default false: a scraper sends the token).</summary>
    public bool MetricsPublic { get; init; }

    /// <summary>The access log (<c>gateway.access_log</c>), or null for none.</summary>
    public Telemetry.AccessLogSettings? AccessLog { get; init; }

    /// <summary>The rate limit of every service that sets none of its own (<c>gateway.rate_limit</c>), or null.</summary>
    public RateLimiting.RateLimitSettings? RateLimit { get; init; }

    /// <summary>The <c>redis:</c> names <c>gateway.rate_limit</c> uses, to check them against the stack's services.</summary>
    public IReadOnlyList<Redis.RedisReference> RedisReferences { get; init; } = Array.Empty<Redis.RedisReference>();

    /// <summary>The listeners' ports: no service may take them.</summary>
    public IEnumerable<PortClaim> ClaimedPorts =>
        [new(Listen.Port, "the gateway listener (gateway.listen)"), new(Admin.Port, "the admin listener (gateway.admin)")];
}
