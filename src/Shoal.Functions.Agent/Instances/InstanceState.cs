namespace Shoal.Functions.Agent.Instances;

/// <summary>Where an instance is in its life.</summary>
internal enum InstanceState
{
    /// <summary>Started; its runtime has not asked for an invocation yet.</summary>
    Starting,

    /// <summary>Waiting for or running an invocation.</summary>
    Running,

    /// <summary>Frozen.</summary>
    Paused,

    /// <summary>The process has exited (crash, init error, timeout kill).</summary>
    Exited,

    /// <summary>Left by an earlier run of the agent: alive but without a Runtime API.</summary>
    Orphaned,
}
