using Microsoft.Extensions.Logging;
using Shoal.Delivery;
using Shoal.Gateway.Model;
using Shoal.Orchestration.Lifecycle;
using Shoal.Registry;

namespace Shoal.Hosting.Delivery;

/// <summary>Connects the deployment controller to the supervisor, the gateway's clusters and the registry's store.</summary>
internal static class DeliveryComposition
{
    /// <summary>The last deployment of every service, as stored (to run promoted versions after a restart).</summary>
    public static Task<IReadOnlyList<StoredDeployment>> LoadAsync(IRegistryStore store, CancellationToken cancellationToken) =>
        DeploymentStore.LoadAsync(new RegistryDeploymentDocuments(store), cancellationToken);

    /// <summary>A controller whose deployments run on <paramref name="supervisor"/> and split traffic on <paramref name="clusters"/>.</summary>
    public static DeploymentController Create(StackSupervisor supervisor, Func<string, ClusterState?> clusters, IRegistryStore store, TimeProvider timeProvider, ILogger logger) =>
        new(new SupervisorRunningVersions(supervisor), new GatewayTrafficSplit(clusters), new SupervisorServiceDeclarations(supervisor), new RegistryDeploymentDocuments(store), timeProvider, logger);
}
