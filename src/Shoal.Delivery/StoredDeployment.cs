namespace Shoal.Delivery;

/// <summary>A deployment as it is kept in the registry's store.</summary>
public sealed record StoredDeployment(
    string Service,
    string Stable,
    DeploymentRequest Request,
    DeploymentPhase Phase,
    int Weight,
    int Step,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? SwitchedAt,
    int StableReplicas,
    IReadOnlyList<DeploymentRecord> History);
