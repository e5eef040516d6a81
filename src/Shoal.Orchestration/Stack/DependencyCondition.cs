namespace Shoal.Orchestration.Stack;

/// <summary>What a dependent waits for.</summary>
public enum DependencyCondition
{
    /// <summary>Every replica's process is running.</summary>
    Started,

    /// <summary>Every replica passes its health check.</summary>
    Healthy,
}
