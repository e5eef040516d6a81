using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Catalog;
using Shoal.Registry.Stores;
using Shoal.Testing;

namespace Shoal.Registry.Tests;

/// <summary>Two gateways' catalogs over one etcd prefix: each owner adds its own replicas and touches only those.</summary>
public sealed class RegistryCatalogTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private RegistryCatalog Catalog(string prefix, string owner)
    {
        var (endpoints, path) = EtcdRegistryStore.TryParse(etcd.Cluster.StoreAddress(prefix))!.Value;
        return new RegistryCatalog(new EtcdRegistryStore(endpoints, path, TimeProvider.System), owner, TimeProvider.System, NullLogger.Instance);
    }

    private static ServiceInstance Replica(RegistryCatalog catalog, int n) =>
        new() { Service = "app", Id = $"app-{n}{catalog.OwnedIdSuffix}", Port = 5000 + n, RegisteredAt = DateTimeOffset.UnixEpoch.AddDays(1) };

    private static List<string> Ids(RegistryCatalog catalog) => [.. catalog.Current.Instances.Where(i => i.Service == "app").Select(i => i.Id)];

    [Fact]
    public async Task SharedStore_TwoOwnersWithTheSameReplicaIds_AddUpAndRemoveOnlyTheirOwn()
    {
        var prefix = $"/test-{Guid.NewGuid():N}";
        await using var a = Catalog(prefix, RegistryCatalog.OwnerFor("shop", "host-a"));
        await using var b = Catalog(prefix, RegistryCatalog.OwnerFor("shop", "host-b"));
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);

        Assert.Equal("@shop.host-a", a.OwnedIdSuffix);
        foreach (var catalog in new[] { a, b })
        {
            await catalog.UpsertAsync(Replica(catalog, 1));
            await catalog.UpsertAsync(Replica(catalog, 2));
        }

        string[] all = ["app-1@shop.host-a", "app-1@shop.host-b", "app-2@shop.host-a", "app-2@shop.host-b"];
        await Poll.UntilAsync(() => Ids(a).SequenceEqual(all) && Ids(b).SequenceEqual(all), s_wait, "both catalogs to list the four replicas");

        Assert.False(await a.RemoveAsync("app", "app-1@shop.host-b"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await a.UpsertAsync(Replica(b, 3)));
        Assert.True(await a.RemoveAsync("app", "app-1@shop.host-a"));
        Assert.True(await a.RemoveAsync("app", "app-2@shop.host-a"));

        await Poll.UntilAsync(() => Ids(b).SequenceEqual(["app-1@shop.host-b", "app-2@shop.host-b"]), s_wait, "B to list only its own two");
        Assert.Equal(["app-1@shop.host-b", "app-2@shop.host-b"], Ids(a));
    }

    [Fact]
    public async Task Start_RemovesOnlyTheLeftoversOfItsOwnOwner()
    {
        var prefix = $"/test-{Guid.NewGuid():N}";
        await using var other = Catalog(prefix, "shop.host-b");
        await other.StartAsync(CancellationToken.None);
        await other.UpsertAsync(Replica(other, 1));
        await using (var earlier = Catalog(prefix, "shop.host-a"))
        {
            await earlier.StartAsync(CancellationToken.None);
            await earlier.UpsertAsync(Replica(earlier, 1));
        }

        await using var restarted = Catalog(prefix, "shop.host-a");
        await restarted.StartAsync(CancellationToken.None);

        Assert.Equal(["app-1@shop.host-b"], Ids(restarted));
    }

    [Theory]
    [InlineData("shop", "web-01", "shop.web-01")]
    [InlineData("my shop", "web/01:x", "my-shop.web-01-x")]
    public void OwnerFor_KeepsIdCharacters_AndReplacesTheRest(string stack, string host, string expected) =>
        Assert.Equal(expected, RegistryCatalog.OwnerFor(stack, host));

    [Fact]
    public void OwnerFor_LongNames_AreCutTo60Characters() =>
        Assert.Equal(60, RegistryCatalog.OwnerFor(new string('s', 50), new string('h', 50)).Length);
}
