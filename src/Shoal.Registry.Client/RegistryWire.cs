using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>Every service at one registry index.</summary>
public sealed record RegistryListing
{
    /// <summary>The registry index the answer reflects.</summary>
    public long Index { get; init; }

    /// <summary>The services.</summary>
    public List<ServiceInstances> Services { get; init; } = [];
}

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

/// <summary>The JSON conventions of the registry API: snake_case, unknown fields rejected.</summary>
public static class RegistryJson
{
    /// <summary>The serializer options both sides use.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Formats a duration the way the API reads it (<c>1500ms</c>).</summary>
    public static string Duration(TimeSpan value) => $"{(long)Math.Ceiling(value.TotalMilliseconds)}ms";
}
