namespace Shoal.Registry.Client;

/// <summary>Every service at one registry index.</summary>
public sealed record RegistryListing
{
    /// <summary>The registry index the answer reflects.</summary>
    public long Index { get; init; }

    /// <summary>The services.</summary>
    public List<ServiceInstances> Services { get; init; } = [];
}
