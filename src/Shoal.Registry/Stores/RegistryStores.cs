using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shoal.Registry.Stores;

/// <summary>Opens the store a <c>registry.store</c> address names.</summary>
public static class RegistryStores
{
    /// <summary>Creates the store for <c>sqlite:PATH</c> or <c>etcd://host:port[,host:port…][/prefix]</c>.</summary>
    /// <exception cref="ArgumentException">The address names no store.</exception>
    public static IRegistryStore Create(string address, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            return new SqliteRegistryStore(address["sqlite:".Length..], timeProvider) { Logger = logger ?? NullLogger.Instance };
        }

        if (EtcdRegistryStore.TryParse(address) is { } etcd)
        {
            return new EtcdRegistryStore(etcd.Endpoints, etcd.Prefix, timeProvider);
        }

        throw new ArgumentException($"'{address}' is not a registry store: use sqlite:PATH or etcd://host:port[,host:port…][/prefix]", nameof(address));
    }
}
