namespace Shoal.Functions.Agent;

/// <summary>Who this agent is: an id that changes with every start, so a client can tell a restarted agent.</summary>
internal sealed record AgentIdentity(string Id);
