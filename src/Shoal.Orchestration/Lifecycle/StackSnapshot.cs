namespace Shoal.Orchestration.Lifecycle;

/// <summary>An immutable view of the whole stack.</summary>
/// <param name="Name">The stack name.</param>
/// <param name="Services">The services, in file order.</param>
public sealed record StackSnapshot(string Name, IReadOnlyList<ServiceSnapshot> Services)
{
    /// <summary>True when every service is healthy.</summary>
    public bool IsHealthy => Services.All(s => s.IsHealthy);
}
