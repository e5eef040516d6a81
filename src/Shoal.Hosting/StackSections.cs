using System.Net;
using Shoal.Configuration;
using Shoal.Delivery.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Hosting.Telemetry;
using Shoal.Orchestration.Stack;
using Shoal.Registry.Configuration;

namespace Shoal.Hosting;

/// <summary>
/// The one place that knows every feature's part of the stack file: the standard section readers the stack loader
/// composes, and typed access to what they read (<c>stack.Gateway</c>, <c>service.LoadBalancing</c>, …).
/// </summary>
public static class StackSections
{
    /// <summary>The standard readers, in the order the allowed keys of the stack file are listed.</summary>
    public static IReadOnlyList<IStackSectionReader> Standard { get; } =
        [new GatewaySectionReader(), new RegistrySectionReader(), new FunctionsSectionReader(), new DeploySectionReader(), new TelemetrySectionReader()];

    /// <summary>Loads and validates a stack file with every feature's section.</summary>
    /// <exception cref="ConfigFileException">The file is missing or invalid.</exception>
    public static StackDefinition Load(string path, string? envFile = null) => StackFileLoader.Load(path, Standard, envFile);

    /// <summary>Loads and validates a stack from several files (Compose's <c>-f a -f b</c>), with <paramref name="profiles"/> enabled.</summary>
    /// <exception cref="ConfigFileException">A file is missing or invalid.</exception>
    public static StackDefinition Load(IReadOnlyList<string> paths, string? envFile, IReadOnlyList<string> profiles) => StackFileLoader.Load(paths, Standard, envFile, profiles);

    /// <summary>Reports a strategy that neither Shoal nor a plugin provides, at the line it is written on.</summary>
    /// <exception cref="ConfigFileException">A service names an unknown strategy.</exception>
    public static void CheckStrategiesExist(StackDefinition stack, IReadOnlyCollection<string> known, string displayName) =>
        GatewaySectionReader.CheckStrategiesExist(stack.Services.Select(s => (s.Name, s.Routing)), known, displayName);

    extension(StackDefinition stack)
    {
        /// <summary>The <c>gateway:</c> section.</summary>
        public GatewayDefinition Gateway => stack.Sections.Get<GatewayDefinition>();

        /// <summary>The <c>telemetry:</c> section.</summary>
        public TelemetrySettings Telemetry => stack.Sections.Get<TelemetrySettings>();

        /// <summary>The <c>functions:</c> section.</summary>
        public FunctionsSettings Functions => stack.Sections.Get<FunctionsSettings>();

        /// <summary>Where the registry lives (<c>registry.store</c>).</summary>
        public string RegistryStore => stack.Sections.Get<RegistrySettings>().Store;

        /// <summary>Address ranges registrations may point into (<c>registry.allow_addresses</c>).</summary>
        public IReadOnlyList<IPNetwork> RegistryAllowAddresses => stack.Sections.Get<RegistrySettings>().AllowAddresses;
    }

    extension(ServiceDefinition service)
    {
        /// <summary>The service's <c>load_balancing:</c> and <c>resilience:</c>; the defaults for a service built without them.</summary>
        public ServiceRouting Routing => service.Sections.Find<ServiceRouting>() ?? ServiceRouting.Default;

        /// <summary>How the gateway balances requests over the replicas.</summary>
        public LoadBalancingSettings LoadBalancing => service.Routing.LoadBalancing;

        /// <summary>Timeouts, retries, circuit breaker, outlier ejection, bulkhead and slow start.</summary>
        public ResilienceSettings Resilience => service.Routing.Resilience;

        /// <summary>Defaults for this service's deployments (<c>deploy:</c>).</summary>
        public DeploymentDefaults Deploy => service.Sections.Find<DeploymentDefaults>() ?? new();
    }
}
