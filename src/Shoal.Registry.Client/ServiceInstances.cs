namespace Shoal.Registry.Client;

/// <summary>The instances of one service at one registry index.</summary>
public sealed record ServiceInstances
{
    /// <summary>The registry index the answer reflects.</summary>
    public long Index { get; init; }

    /// <summary>The service.</summary>
    public string Name { get; init; } = "";

    /// <summary>Its instances.</summary>
    public List<RegisteredInstance> Instances { get; init; } = [];
}
