namespace Shoal.Orchestration.Lifecycle;

/// <summary>An immutable view of one service.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Desired">The desired replica count.</param>
/// <param name="Replicas">The replicas, by index.</param>
public sealed record ServiceSnapshot(string Name, int Desired, IReadOnlyList<ReplicaSnapshot> Replicas)
{
    /// <summary>True when every desired replica is healthy.</summary>
    public bool IsHealthy => Replicas.Count(r => r.State == ReplicaState.Healthy) >= Desired;

    /// <summary>True when every desired replica has a running process.</summary>
    public bool IsStarted => Replicas.Count(r => r.State is ReplicaState.Starting or ReplicaState.Healthy or ReplicaState.Unhealthy) >= Desired;

    /// <summary>The first failed replica, if any.</summary>
    public ReplicaSnapshot? Failure => Replicas.FirstOrDefault(r => r.State == ReplicaState.Failed || (r.State == ReplicaState.Exited && r.LastExitCode != 0));
}
