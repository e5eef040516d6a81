namespace Shoal.Functions.Agent.Instances;

/// <summary>What the agent remembers of an instance across its own restarts (an element of <c>instances.json</c>).</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="Owner">Who asked for it.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="StartTime">The kernel's start time of that pid.</param>
/// <param name="StartedAtUnixMs">When it started.</param>
/// <param name="Cgroups">Its cgroup directories.</param>
public sealed record InstanceRecord(string Id, string Function, string Owner, int Pid, long StartTime, long StartedAtUnixMs, IReadOnlyList<string> Cgroups);
