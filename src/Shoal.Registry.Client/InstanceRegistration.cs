namespace Shoal.Registry.Client;

/// <summary>The body of <c>PUT /v1/services/{service}/instances/{id}</c>.</summary>
public sealed record InstanceRegistration
{
    /// <summary>The address the instance listens on.</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>The port the instance listens on (1–65535).</summary>
    public int Port { get; init; }

    /// <summary>The version it runs.</summary>
    public string? Version { get; init; }

    /// <summary>Its relative weight.</summary>
    public int? Weight { get; init; }

    /// <summary>Free-form labels.</summary>
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary><c>passing</c> (default), <c>warning</c> or <c>critical</c>.</summary>
    public string? Health { get; init; }

    /// <summary>A draining instance takes no new requests.</summary>
    public bool? Draining { get; init; }

    /// <summary>Without a heartbeat for this long the instance turns critical, e.g. <c>10s</c>.</summary>
    public string? Ttl { get; init; }

    /// <summary>Critical this long after its TTL ran out, the instance is removed, e.g. <c>1m</c>.</summary>
    public string? DeregisterAfter { get; init; }
}
