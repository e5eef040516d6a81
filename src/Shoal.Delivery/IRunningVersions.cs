namespace Shoal.Delivery;

/// <summary>
/// The replicas a deployment starts, scales, promotes and stops: a service's stable replicas (the ones the stack runs)
/// and the replicas of one new version next to them.
/// </summary>
public interface IRunningVersions
{
    /// <summary>The version the service's stable replicas run, or null when this stack runs no replicas of it.</summary>
    string? StableVersion(string service);

    /// <summary>How many stable replicas the service is meant to have.</summary>
    int StableReplicas(string service);

    /// <summary>Changes the service's stable replica count; returns once the change is made (health is waited for apart).</summary>
    Task ScaleStableAsync(string service, int replicas, CancellationToken cancellationToken);

    /// <summary>Completes once every stable replica is healthy or one has failed.</summary>
    Task WaitStableSettledAsync(string service, CancellationToken cancellationToken);

    /// <summary>
    /// Starts <paramref name="replicas"/> replicas of <paramref name="version"/> next to the stable ones, running
    /// <paramref name="command"/> (null for the service's own) with <paramref name="environment"/> laid over the
    /// service's; returns once they are started.
    /// </summary>
    Task StartAsync(string service, string version, IReadOnlyList<string>? command, IReadOnlyDictionary<string, string> environment, int replicas, CancellationToken cancellationToken);

    /// <summary>Changes the replica count of a version started by <see cref="StartAsync"/>.</summary>
    Task ScaleAsync(string service, string version, int replicas, CancellationToken cancellationToken);

    /// <summary>Waits until every replica of the version is healthy (true) or one has failed or the version is gone (false).</summary>
    Task<bool> WaitHealthyAsync(string service, string version, CancellationToken cancellationToken);

    /// <summary>Makes the version the service's stable replicas; the previous ones drain and stop.</summary>
    Task PromoteAsync(string service, string version, CancellationToken cancellationToken);

    /// <summary>Drains and stops the replicas of a version started by <see cref="StartAsync"/>.</summary>
    Task StopAsync(string service, string version, CancellationToken cancellationToken);
}
