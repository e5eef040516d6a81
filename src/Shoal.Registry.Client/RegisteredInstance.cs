namespace Shoal.Registry.Client;

/// <summary>An instance as the registry answers it.</summary>
public sealed record RegisteredInstance
{
    /// <summary>Its service.</summary>
    public string Service { get; init; } = "";

    /// <summary>Its id within the service.</summary>
    public string Id { get; init; } = "";

    /// <summary>Its address.</summary>
    public string Address { get; init; } = "";

    /// <summary>Its port.</summary>
    public int Port { get; init; }

    /// <summary>Its version.</summary>
    public string Version { get; init; } = "";

    /// <summary>Its weight.</summary>
    public int Weight { get; init; }

    /// <summary>Its labels.</summary>
    public Dictionary<string, string> Metadata { get; init; } = [];

    /// <summary><c>passing</c>, <c>warning</c> or <c>critical</c>, after TTL expiry is applied.</summary>
    public string Health { get; init; } = "";

    /// <summary>Whether it is draining.</summary>
    public bool Draining { get; init; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>Its TTL, when it has one.</summary>
    public string? Ttl { get; init; }

    /// <summary>Its deregister-after delay, when it has one.</summary>
    public string? DeregisterAfter { get; init; }

    /// <summary>The process id, when Shoal started it.</summary>
    public int? Pid { get; init; }
}
