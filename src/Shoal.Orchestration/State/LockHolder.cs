namespace Shoal.Orchestration.State;

/// <summary>The process that holds a stack's daemon lock.</summary>
/// <param name="Pid">Its pid, or null when the lock is held but its record is not (yet) readable.</param>
/// <param name="StartTime">Its kernel start time.</param>
public sealed record LockHolder(int? Pid, long StartTime);
