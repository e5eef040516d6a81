using System.Net;
using Shoal.Configuration;
using Shoal.Delivery.Configuration;
using Shoal.Functions.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Registry.Configuration;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>
/// The stack loader with every feature's section reader, composed as the CLI composes them
/// (<c>Shoal.Cli.Hosting.StackSections.Standard</c>): the tests of whole stack files and of the full error texts.
/// </summary>
internal static class StandardStack
{
    public static IReadOnlyList<IStackSectionReader> Readers { get; } =
        [new GatewaySectionReader(), new RegistrySectionReader(), new FunctionsSectionReader(), new DeploySectionReader()];

    public static StackDefinition Parse(string yaml, string fullPath, string displayName) =>
        StackFileLoader.Parse(yaml, fullPath, displayName, Readers);

    extension(StackDefinition stack)
    {
        public GatewayDefinition Gateway => stack.Sections.Get<GatewayDefinition>();

        public FunctionsSettings Functions => stack.Sections.Get<FunctionsSettings>();

        public string RegistryStore => stack.Sections.Get<RegistrySettings>().Store;

        public IReadOnlyList<IPNetwork> RegistryAllowAddresses => stack.Sections.Get<RegistrySettings>().AllowAddresses;
    }

    extension(ServiceDefinition service)
    {
        public ServiceRouting Routing => service.Sections.Get<ServiceRouting>();

        public LoadBalancingSettings LoadBalancing => service.Routing.LoadBalancing;

        public ResilienceSettings Resilience => service.Routing.Resilience;

        public DeploymentDefaults Deploy => service.Sections.Get<DeploymentDefaults>();
    }
}
