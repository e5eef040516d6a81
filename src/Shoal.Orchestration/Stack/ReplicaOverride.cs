namespace Shoal.Orchestration.Stack;

/// <summary>One entry of <c>per_replica</c>.</summary>
/// <param name="Weight">The replica's weight, or null for the service's.</param>
/// <param name="Metadata">Labels added to the service's.</param>
/// <param name="Environment">Variables added to the service's.</param>
public sealed record ReplicaOverride(int? Weight, IReadOnlyDictionary<string, string> Metadata, IReadOnlyDictionary<string, string> Environment);
