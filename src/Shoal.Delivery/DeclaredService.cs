namespace Shoal.Delivery;

/// <summary>What the stack file lets a service run (for <see cref="DeploymentPermission"/>).</summary>
/// <param name="Name">The service.</param>
/// <param name="Command">The argv the stack runs for it.</param>
/// <param name="Variables">The names of the environment variables the file sets for it (for any replica).</param>
public sealed record DeclaredService(string Name, IReadOnlyList<string> Command, IReadOnlySet<string> Variables);
