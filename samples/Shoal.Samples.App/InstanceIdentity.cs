namespace Shoal.Samples.App;

/// <summary>Who this replica is, as the stack told it through its environment.</summary>
public sealed record InstanceIdentity(string InstanceId, string Service, string Version, DateTimeOffset StartedAt)
{
    public static InstanceIdentity FromEnvironment() => new(
        Environment.GetEnvironmentVariable("SHOAL_INSTANCE_ID") ?? Environment.GetEnvironmentVariable("CONTAINER_ID") ?? Environment.MachineName,
        Environment.GetEnvironmentVariable("SHOAL_SERVICE") ?? "app",
        Environment.GetEnvironmentVariable("SHOAL_VERSION") ?? Environment.GetEnvironmentVariable("APP_VERSION") ?? "1.0.0",
        DateTimeOffset.UtcNow);
}
