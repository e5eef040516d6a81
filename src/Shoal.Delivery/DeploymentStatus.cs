namespace Shoal.Delivery;

/// <summary>A deployment as the API shows it.</summary>
public sealed record DeploymentStatus(
    string Service,
    string Type,
    string Stable,
    string Version,
    DeploymentPhase Phase,
    int Weight,
    int Step,
    IReadOnlyList<int> Steps,
    DateTimeOffset StartedAt,
    string? Reason,
    IReadOnlyList<DeploymentRecord> History);
