namespace Shoal.Orchestration.Stack;

/// <summary>What a dependent waits for.</summary>
public enum DependencyCondition
{
    /// <summary>Every replica's process is running.</summary>
    Started,

    /// <summary>Every replica passes its health check.</summary>
    Healthy,

    /// <summary>Every replica has run to completion: exited with code 0 (Compose's <c>service_completed_successfully</c>).</summary>
    Completed,
}
