namespace Shoal.Delivery;

/// <summary>One thing that happened to a deployment.</summary>
public sealed record DeploymentRecord(DateTimeOffset At, string Actor, string Action, string? Reason, int Weight);
