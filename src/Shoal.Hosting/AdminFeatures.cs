using Shoal.Delivery;
using Shoal.Functions.Hosting;
using Shoal.Gateway.Admin;
using Shoal.Orchestration.Lifecycle;
using Shoal.Registry;

namespace Shoal.Hosting;

/// <summary>The features the admin listener serves, each by its typed handle.</summary>
/// <param name="Catalog">The registry.</param>
/// <param name="Supervisor">The stack's replicas.</param>
/// <param name="Gateway">The gateway's services and strategies.</param>
/// <param name="Deployments">The deployments.</param>
/// <param name="Functions">The functions, or null when the stack has none.</param>
/// <param name="Metrics">Whether <c>GET /metrics</c> is served (<c>gateway.metrics</c>).</param>
/// <param name="Streams">The event stream and the log files, or null.</param>
internal sealed record AdminFeatures(RegistryCatalog Catalog, StackSupervisor Supervisor, GatewayControl Gateway, DeploymentController Deployments, FunctionsHost? Functions, bool Metrics = false, Events.PlatformStreams? Streams = null);
