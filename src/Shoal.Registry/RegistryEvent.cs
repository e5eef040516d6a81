namespace Shoal.Registry;

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
