using Shoal.Delivery;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Hosting.Delivery;

/// <summary>A deployment's replicas, run by the stack's supervisor.</summary>
internal sealed class SupervisorRunningVersions(StackSupervisor supervisor) : IRunningVersions
{
    public string? StableVersion(string service) => supervisor.VersionOf(service);

    public int StableReplicas(string service) =>
        supervisor.ServiceSnapshot(service)?.Desired ?? throw new KeyNotFoundException($"No service '{service}' runs in this stack.");

    public Task ScaleStableAsync(string service, int replicas, CancellationToken cancellationToken) =>
        supervisor.ScaleAsync(service, replicas, cancellationToken);

    public Task WaitStableSettledAsync(string service, CancellationToken cancellationToken) =>
        supervisor.WaitUntilAsync(() => supervisor.ServiceSnapshot(service) is not { IsHealthy: false, Failure: null }, cancellationToken);

    public Task StartAsync(string service, string version, IReadOnlyList<string>? command, IReadOnlyDictionary<string, string> environment, int replicas, CancellationToken cancellationToken) =>
        supervisor.StartVersionAsync(service, version, command, environment, replicas, cancellationToken);

    public Task ScaleAsync(string service, string version, int replicas, CancellationToken cancellationToken) =>
        supervisor.ScaleVersionAsync(service, version, replicas, cancellationToken);

    public async Task<bool> WaitHealthyAsync(string service, string version, CancellationToken cancellationToken)
    {
        await supervisor.WaitUntilAsync(() => supervisor.VersionSnapshot(service, version) is not { IsHealthy: false, Failure: null }, cancellationToken).ConfigureAwait(false);
        return supervisor.VersionSnapshot(service, version) is { IsHealthy: true };
    }

    public Task PromoteAsync(string service, string version, CancellationToken cancellationToken) =>
        supervisor.PromoteVersionAsync(service, version, cancellationToken);

    public Task StopAsync(string service, string version, CancellationToken cancellationToken) =>
        supervisor.StopVersionAsync(service, version, cancellationToken);
}
