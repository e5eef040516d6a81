namespace Shoal.Functions.Pool;

/// <summary>The state of an instance as its agent reports it.</summary>
public enum AgentInstanceState
{
    /// <summary>Its runtime is initializing.</summary>
    Starting,

    /// <summary>Ready for, or running, an invocation.</summary>
    Running,

    /// <summary>Frozen.</summary>
    Paused,

    /// <summary>Its process has exited.</summary>
    Exited,

    /// <summary>Left by an earlier run of the agent, without a Runtime API.</summary>
    Orphaned,
}
