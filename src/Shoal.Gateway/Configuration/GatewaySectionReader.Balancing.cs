using Shoal.Configuration;
using Shoal.Gateway.Redis;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Gateway.Configuration;

/// <summary>A service's <c>load_balancing:</c>, and the check that its strategy exists.</summary>
public sealed partial class GatewaySectionReader
{
    private static readonly string[] s_balancingKeys = ["strategy", "session_header", "session_cookie", "session_idle_timeout", "hash_key", "bounded_load", "virtual_nodes", "settings", "store", "redis"];

    private static LoadBalancingSettings ReadLoadBalancing(YamlFields f, List<RedisReference> redis, out (int Line, int Column) position)
    {
        var node = f.Get("load_balancing");
        position = node is null ? (0, 0) : ((int)node.Start.Line, (int)node.Start.Column);
        if (node is null)
        {
            return LoadBalancingSettings.Default;
        }

        if (node is YamlScalarNode { Value: { } name })
        {
            return new LoadBalancingSettings { Strategy = name };
        }

        var b = f.GetMap("load_balancing", s_balancingKeys);
        if (b is null)
        {
            return LoadBalancingSettings.Default;
        }

        var defaults = LoadBalancingSettings.Default;
        if (b.Get("strategy") is { } strategyNode)
        {
            position = ((int)strategyNode.Start.Line, (int)strategyNode.Start.Column);
        }

        var settings = new LoadBalancingSettings
        {
            Strategy = b.GetString("strategy") ?? defaults.Strategy,
            SessionHeader = b.GetString("session_header") ?? defaults.SessionHeader,
            SessionCookie = b.GetString("session_cookie"),
            SessionIdleTimeout = b.GetDuration("session_idle_timeout", TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)) ?? defaults.SessionIdleTimeout,
            HashKey = b.GetString("hash_key"),
            BoundedLoad = b.GetDouble("bounded_load", 1, 100),
            VirtualNodes = b.GetInt("virtual_nodes", 1, 10_000) ?? defaults.VirtualNodes,
            Settings = b.GetStringMap("settings") ?? new Dictionary<string, string>(),
            SessionStore = ReadChoice(b, "store", s_stores) ?? StoreKind.Local,
            SessionRedis = b.GetString("redis"),
        };
        if (b.Get("store") is { } store && settings.Strategy != Strategies.Session)
        {
            b.Errors.Add(store, b.FieldPath("store"), "store: keeps the table of strategy: session; this service's strategy keeps none");
        }

        CheckStore(b, settings.SessionStore, settings.SessionRedis, redis);
        foreach (var (field, message) in LoadBalancingValidation.Problems(settings, knownStrategies: null))
        {
            b.Errors.Add(b.Get(field) ?? b.Node, b.FieldPath(field), message);
        }

        return settings;
    }

    private static void CheckStrategies(StackCheckContext context)
    {
        var gateway = context.Sections.Get<GatewayDefinition>();
        foreach (var service in context.Services)
        {
            var routing = service.Sections.Get<ServiceRouting>();
            var strategy = routing.LoadBalancing.Strategy;
            if (Strategies.BuiltIn.Contains(strategy, StringComparer.Ordinal) || gateway.Plugins.Count > 0)
            {
                continue;
            }

            var (line, column) = routing.StrategyPosition;
            context.Errors.Add(new Mark(0, line, column), service.Fields.FieldPath("load_balancing"),
                $"unknown strategy '{strategy}'; built in: {string.Join(", ", Strategies.BuiltIn)} (a custom one comes from gateway.plugins)");
        }
    }

    /// <summary>Reports a strategy that neither Shoal nor a plugin provides, at the line it is written on.</summary>
    /// <exception cref="ConfigFileException">A service names an unknown strategy.</exception>
    /// <param name="services">Each service's name and gateway section, in file order.</param>
    /// <param name="known">The strategies Shoal and the loaded plugins provide.</param>
    /// <param name="displayName">How messages name the stack file.</param>
    public static void CheckStrategiesExist(IEnumerable<(string Name, ServiceRouting Routing)> services, IReadOnlyCollection<string> known, string displayName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(known);
        var errors = new YamlErrors(displayName);
        foreach (var (name, routing) in services.Where(s => !known.Contains(s.Routing.LoadBalancing.Strategy)))
        {
            var (line, column) = routing.StrategyPosition;
            errors.Add(new Mark(0, line, column), $"services.{name}.load_balancing",
                $"unknown strategy '{routing.LoadBalancing.Strategy}'; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }

        errors.ThrowIfAny();
    }
}
