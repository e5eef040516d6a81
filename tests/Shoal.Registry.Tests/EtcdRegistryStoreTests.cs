using Microsoft.Extensions.Logging.Abstractions;
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

    [Fact]
    public async Task Put_OnALeaseGrantedAhead_RenewsIt_SoTheTtlCountsFromThePut()
    {
        var ttl = TimeSpan.FromSeconds(6);
        await Store.PutAsync(Instance("a-1", ttl: ttl), CancellationToken.None);

        // The lease granted ahead after a-1's write is 2 s old (under half its TTL): a-2 takes it.
        await ElapseAsync(TimeSpan.FromSeconds(2));
        await Store.PutAsync(Instance("a-2", ttl: ttl), CancellationToken.None);

        // Not renewed, the lease would have run out 4 s after a-2's write, like a-1's.
        await ElapseAsync(TimeSpan.FromSeconds(5));
        var entries = (await Store.ReadAsync(CancellationToken.None)).Entries.ToDictionary(e => e.Instance.Id);
        Assert.True(entries["a-1"].Expired);
        Assert.False(entries["a-2"].Expired);
    }

    [Fact]
    public async Task Catalog_OverEtcd_NeverSweeps_EtcdExpiresTheLeasesItself()
    {
        await using var catalog = new RegistryCatalog(await CreateStoreAsync(), "shop.host", TimeProvider.System, NullLogger.Instance);
        await catalog.StartAsync(CancellationToken.None);
        await catalog.PutAsync(Instance("a-1", ttl: TimeSpan.FromSeconds(1)), CancellationToken.None);

        await Poll.UntilAsync(() => catalog.Entries[("api", "a-1")].Expired, TimeSpan.FromSeconds(20), "etcd to expire a-1's lease");
        Assert.Equal(0, catalog.Sweeps);
    }
}

public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await EtcdCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
