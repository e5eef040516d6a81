using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Catalog;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Admin;

/// <summary>
/// The handles the daemon composes a built gateway with: the cluster lookup, the drainer, and what the admin
/// endpoints change at run time. Taken once from the gateway's services when the daemon is put together.
/// </summary>
public sealed class GatewayControl : IClusterLookup
{
    private GatewayControl(GatewayState state, IInstanceDrainer drainer, TimeProvider time)
    {
        State = state;
        Drainer = drainer;
        Time = time;
    }

    /// <summary>Waits for an instance's requests to finish before it stops.</summary>
    public IInstanceDrainer Drainer { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<ClusterState> Clusters => State.Clusters;

    internal GatewayState State { get; }

    internal TimeProvider Time { get; }

    /// <summary>The handles of <paramref name="gateway"/>, built by <see cref="GatewayServer.Build"/>.</summary>
    public static GatewayControl Of(WebApplication gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var services = gateway.Services;
        return new GatewayControl(services.GetRequiredService<GatewayState>(), services.GetRequiredService<IInstanceDrainer>(), services.GetRequiredService<TimeProvider>());
    }

    /// <inheritdoc />
    public ClusterState? Find(string service) => State.FindCluster(service);
}
