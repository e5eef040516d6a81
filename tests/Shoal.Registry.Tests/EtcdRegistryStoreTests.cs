using Shoal.Registry.Stores;
using Shoal.Testing;

namespace Shoal.Registry.Tests;

/// <summary>The contract against a real single-member etcd; each test gets its own key prefix.</summary>
public sealed class EtcdRegistryStoreTests(EtcdFixture etcd) : RegistryStoreContract, IClassFixture<EtcdFixture>
{
    protected override Task<IRegistryStore> CreateStoreAsync()
    {
        var (endpoints, prefix) = EtcdRegistryStore.TryParse(etcd.Cluster.StoreAddress($"/test-{Guid.NewGuid():N}"))!.Value;
        return Task.FromResult<IRegistryStore>(new EtcdRegistryStore(endpoints, prefix, TimeProvider.System));
    }

    // etcd expires leases on its own clock: time has to pass for real.
    protected override Task ElapseAsync(TimeSpan span) => Task.Delay(span);
}

public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await EtcdCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
