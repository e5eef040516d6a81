namespace Shoal.Registry;

/// <summary>What kind of change an event is.</summary>
public enum RegistryEventKind
{
    /// <summary>A new instance.</summary>
    Registered,

    /// <summary>An instance was removed (deregistered, or its TTL and deregister-after ran out).</summary>
    Deregistered,

    /// <summary>Only the instance's health changed.</summary>
    Health,

    /// <summary>Anything else about the instance changed.</summary>
    Updated,
}
