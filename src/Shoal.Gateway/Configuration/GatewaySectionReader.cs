using Shoal.Configuration;
using Shoal.Gateway.Redis;

namespace Shoal.Gateway.Configuration;

/// <summary>
/// Reads the gateway's part of the stack file: the <c>gateway:</c> section (listeners, tokens, plugins, trusted proxies,
/// limits) and each service's <c>load_balancing:</c> and <c>resilience:</c>, and checks that every strategy is known.
/// </summary>
public sealed partial class GatewaySectionReader : IStackSectionReader
{
    private static readonly string[] s_gatewayKeys = ["listen", "admin", "admin_token", "operator_token", "plugins", "trusted_proxies", "limits", "metrics", "metrics_public", "access_log", "forwarded_headers", "rate_limit"];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> TopLevelKeys { get; } = [new("gateway", After: "name")];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> ServiceKeys { get; } = [new("load_balancing", After: "per_replica"), new("resilience", After: "load_balancing"), new("rate_limit", After: "resilience")];

    /// <inheritdoc />
    public object? ReadStack(StackReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ReadGateway(context.Top, context.Directory);
    }

    /// <inheritdoc />
    public object? ReadService(ServiceReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var redis = new List<RedisReference>();
        return new ServiceRouting
        {
            LoadBalancing = ReadLoadBalancing(context.Fields, redis, out var strategyPosition),
            StrategyPosition = strategyPosition,
            Resilience = ReadResilience(context.Fields),
            RateLimit = ReadRateLimit(context.Fields, redis),
            RedisReferences = redis.Count == 0 ? Array.Empty<RedisReference>() : redis,
        };
    }

    /// <inheritdoc />
    public void Check(StackCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckStrategies(context);
        CheckRedisReferences(context);
    }
}
