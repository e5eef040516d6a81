using Shoal.Catalog;

namespace Shoal.Registry;

/// <summary>An instance as registered: what it declares, plus the TTL that keeps it alive.</summary>
/// <param name="Instance">The instance with its declared health (TTL expiry not applied).</param>
/// <param name="Ttl">Without a heartbeat for this long the instance counts as critical; null for no TTL.</param>
/// <param name="DeregisterAfter">Critical this long after its TTL ran out, the instance is removed; null to keep it.</param>
public sealed record Registration(ServiceInstance Instance, TimeSpan? Ttl = null, TimeSpan? DeregisterAfter = null)
{
    /// <summary>The instance as clients see it: critical while its TTL has run out.</summary>
    public ServiceInstance Effective(bool expired) => expired ? Instance with { Health = InstanceHealth.Critical } : Instance;
}

/// <summary>A registration and whether its TTL has run out.</summary>
public sealed record RegistryEntry(Registration Registration, bool Expired)
{
    /// <summary>The instance as clients see it.</summary>
    public ServiceInstance Instance => Registration.Effective(Expired);
}

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

/// <summary>One change, at the registry index that made it.</summary>
/// <param name="Index">The index of the change; several events may share one when one write changed several instances.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Entry">The instance after the change; for <see cref="RegistryEventKind.Deregistered"/> as it was last.</param>
public sealed record RegistryEvent(long Index, RegistryEventKind Kind, RegistryEntry Entry)
{
    /// <summary>What <paramref name="before"/> → <paramref name="after"/> is, or null when clients would see no difference.</summary>
    public static RegistryEventKind? Classify(RegistryEntry? before, RegistryEntry? after)
    {
        if (before is null)
        {
            return after is null ? null : RegistryEventKind.Registered;
        }

        if (after is null)
        {
            return RegistryEventKind.Deregistered;
        }

        if (Same(before, after, ignoreHealth: false))
        {
            return null;
        }

        return Same(before, after, ignoreHealth: true) ? RegistryEventKind.Health : RegistryEventKind.Updated;
    }

    private static bool Same(RegistryEntry x, RegistryEntry y, bool ignoreHealth)
    {
        var a = x.Instance;
        var b = y.Instance;
        return a.Service == b.Service && a.Id == b.Id && a.Address == b.Address && a.Port == b.Port && a.Version == b.Version
            && a.Weight == b.Weight && (ignoreHealth || a.Health == b.Health) && a.Draining == b.Draining && a.Pid == b.Pid && a.RegisteredAt == b.RegisteredAt
            && x.Registration.Ttl == y.Registration.Ttl && x.Registration.DeregisterAfter == y.Registration.DeregisterAfter
            && a.Metadata.Count == b.Metadata.Count && a.Metadata.All(kv => b.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }
}

/// <summary>Every registration at one index.</summary>
public sealed record RegistryView(long Index, IReadOnlyList<RegistryEntry> Entries);

/// <summary>The events after the index a watch asked for are no longer kept: read the registry again and watch from its index.</summary>
public sealed class RegistryHistoryLostException(long asked, long oldest)
    : Exception($"the registry no longer keeps events after index {asked}; the oldest it has is {oldest}. Read the services again and watch from their index.")
{
    /// <summary>The oldest index whose successors are still kept.</summary>
    public long Oldest { get; } = oldest;
}
