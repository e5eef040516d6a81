namespace Shoal.Registry.Client;

/// <summary>One change in the registry.</summary>
public sealed record ServiceEvent
{
    /// <summary>The registry index of the change; resume a watch after it.</summary>
    public long Index { get; init; }

    /// <summary><c>registered</c>, <c>deregistered</c>, <c>health</c> or <c>updated</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>The service.</summary>
    public string Service { get; init; } = "";

    /// <summary>The instance id.</summary>
    public string Id { get; init; } = "";

    /// <summary>The instance after the change (for <c>deregistered</c>: as it was last).</summary>
    public RegisteredInstance? Instance { get; init; }
}
