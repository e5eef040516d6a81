namespace Shoal.Registry;

/// <summary>
/// Where registrations live. Every change gets an index that only grows, and is kept as an event so a watcher that
/// comes back with the last index it saw receives exactly what it missed.
/// </summary>
public interface IRegistryStore : IAsyncDisposable
{
    /// <summary>A short description for logs and <c>GET /v1/registry</c>, e.g. <c>sqlite:/path/registry.db</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Whether other gateways write to the same store (etcd): then the stack's replicas are registered under ids
    /// qualified with their owner, so two stacks with a service of the same name add up instead of overwriting each other.
    /// </summary>
    bool Shared { get; }

    /// <summary>Whether the store's server applies TTLs itself (etcd leases): then no catalog sweeps this store.</summary>
    bool ExpiresTtls { get; }

    /// <summary>Prepares the store (schema, connection); called once before anything else.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Every registration and the index they reflect.</summary>
    Task<RegistryView> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Registers or replaces an instance and counts as a heartbeat; returns the index of the event it made, or 0 when clients would see no change.</summary>
    Task<long> PutAsync(Registration registration, CancellationToken cancellationToken);

    /// <summary>Removes an instance; returns the index of the removal, or null when it was not registered.</summary>
    Task<long?> DeleteAsync(string service, string id, CancellationToken cancellationToken);

    /// <summary>Renews an instance's TTL; returns the index of the event it made (an expiry ended) or 0, and null when the instance is not registered.</summary>
    Task<long?> HeartbeatAsync(string service, string id, CancellationToken cancellationToken);

    /// <summary>
    /// The events after <paramref name="afterIndex"/> in index order, then new ones as they happen, until cancelled.
    /// </summary>
    /// <exception cref="RegistryHistoryLostException">The events after <paramref name="afterIndex"/> are no longer kept.</exception>
    IAsyncEnumerable<RegistryEvent> WatchAsync(long afterIndex, CancellationToken cancellationToken);

    /// <summary>Stores a small JSON document next to the registrations (e.g. a deployment's state), replacing one with the same key.</summary>
    Task PutDocumentAsync(string key, string json, CancellationToken cancellationToken);

    /// <summary>Every document whose key starts with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyDictionary<string, string>> ReadDocumentsAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Applies TTLs that ran out: expired instances turn critical, and are removed once their deregister-after ran out
    /// too. Stores whose server expires TTLs itself (<see cref="ExpiresTtls"/>) do nothing here. Returns how long until
    /// the next TTL or deregister-after runs out, or null when none will: nothing changes before then but by a write,
    /// and only a registration or a heartbeat that ends an expiry can bring that moment forward.
    /// </summary>
    Task<TimeSpan?> SweepAsync(CancellationToken cancellationToken);
}
