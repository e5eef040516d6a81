using Shoal.Configuration;

namespace Shoal.Gateway.Configuration;

/// <summary>
/// Reads the gateway's part of the stack file: the <c>gateway:</c> section (listeners, tokens, plugins, trusted proxies,
/// limits) and each service's <c>load_balancing:</c> and <c>resilience:</c>, and checks that every strategy is known.
/// </summary>
public sealed partial class GatewaySectionReader : IStackSectionReader
{
    private static readonly string[] s_gatewayKeys = ["listen", "admin", "admin_token", "operator_token", "plugins", "trusted_proxies", "limits", "metrics", "metrics_public", "access_log"];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> TopLevelKeys { get; } = [new("gateway", After: "name")];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> ServiceKeys { get; } = [new("load_balancing", After: "per_replica"), new("resilience", After: "load_balancing")];

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
        return new ServiceRouting
        {
            LoadBalancing = ReadLoadBalancing(context.Fields, out var strategyPosition),
            StrategyPosition = strategyPosition,
            Resilience = ReadResilience(context.Fields),
        };
    }

    /// <inheritdoc />
    public void Check(StackCheckContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckStrategies(context);
    }
}
