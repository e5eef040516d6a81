namespace Shoal.Functions.Pool;

/// <summary>A pool's counts.</summary>
/// <param name="Function">The function.</param>
/// <param name="Instances">Instances held (idle, busy or starting).</param>
/// <param name="Idle">Warm and free.</param>
/// <param name="Busy">Running an invocation.</param>
/// <param name="Starting">Being started.</param>
/// <param name="Waiting">Invocations in the queue.</param>
/// <param name="Started">Instances started since the pool was made.</param>
/// <param name="Throttled">Invocations refused with 429.</param>
public sealed record PoolSnapshot(string Function, int Instances, int Idle, int Busy, int Starting, int Waiting, long Started, long Throttled)
{
    /// <summary>Invocations that were sent to a second instance because the first held them too long.</summary>
    public long Hedged { get; init; }

    /// <summary>Invocations that failed because their instance was killed at its memory limit (<c>Runtime.OutOfMemory</c>).</summary>
    public long OomKills { get; init; }

    /// <summary>The function's runtime (<c>process</c>, <c>sandbox</c>, <c>oci</c>, <c>docker</c>).</summary>
    public string Runtime { get; init; } = "process";

    /// <summary>Each instance as the agent reports it (runtime, limits, usage, OOM kills); empty when the agent was not asked.</summary>
    public IReadOnlyList<AgentInstance> Details { get; init; } = [];
}
