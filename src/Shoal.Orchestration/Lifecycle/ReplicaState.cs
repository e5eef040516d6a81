namespace Shoal.Orchestration.Lifecycle;

/// <summary>Where a replica is in its life, as <c>shoal ps</c> shows it.</summary>
public enum ReplicaState
{
    /// <summary>Not started yet (waiting for dependencies).</summary>
    Pending,

    /// <summary>The process runs and has not passed its health check yet.</summary>
    Starting,

    /// <summary>Passing its health check.</summary>
    Healthy,

    /// <summary>Running but failing its health check.</summary>
    Unhealthy,

    /// <summary>Exited and waiting for its restart delay.</summary>
    Restarting,

    /// <summary>Being drained and stopped.</summary>
    Stopping,

    /// <summary>Stopped by Shoal.</summary>
    Stopped,

    /// <summary>Exited and not restarted by its policy.</summary>
    Exited,

    /// <summary>Given up: crash loop or a start that cannot succeed.</summary>
    Failed,
}
