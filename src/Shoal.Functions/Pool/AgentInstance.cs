namespace Shoal.Functions.Pool;

/// <summary>An instance as the agent reports it.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="InvokeUrl">Where invocations go.</param>
/// <param name="State">Its state.</param>
/// <param name="Pid">Its process id.</param>
public sealed record AgentInstance(string Id, string Function, string InvokeUrl, AgentInstanceState State, int Pid);
