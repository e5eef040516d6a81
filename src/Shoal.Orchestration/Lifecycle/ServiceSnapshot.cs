namespace Shoal.Orchestration.Lifecycle;

/// <summary>An immutable view of one service.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Desired">The desired replica count.</param>
/// <param name="Replicas">The replicas, by index.</param>
public sealed record ServiceSnapshot(string Name, int Desired, IReadOnlyList<ReplicaSnapshot> Replicas)
{
    /// <summary>True when every desired replica is healthy, or has run to completion (a one-shot job that exited 0 is done, not down).</summary>
    public bool IsHealthy => Replicas.Count(r => r.State == ReplicaState.Healthy || IsDone(r)) >= Desired;

    /// <summary>True when every desired replica has a running process, or has run to completion.</summary>
    public bool IsStarted => Replicas.Count(r => r.State is ReplicaState.Starting or ReplicaState.Healthy or ReplicaState.Unhealthy || IsDone(r)) >= Desired;

    /// <summary>True when every desired replica has exited with code 0 and is not restarted (<c>condition: completed</c>).</summary>
    public bool IsCompleted => Replicas.Count(IsDone) >= Desired;

    /// <summary>The first failed replica, if any.</summary>
    public ReplicaSnapshot? Failure => Replicas.FirstOrDefault(r => r.State == ReplicaState.Failed || (r.State == ReplicaState.Exited && r.LastExitCode != 0));

    private static bool IsDone(ReplicaSnapshot replica) => replica.State == ReplicaState.Exited && replica.LastExitCode == 0;
}
