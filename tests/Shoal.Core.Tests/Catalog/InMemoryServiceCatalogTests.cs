using Shoal.Catalog;

namespace Shoal.Core.Tests.Catalog;

public sealed class InMemoryServiceCatalogTests
{
    private static ServiceInstance Instance(string id, InstanceHealth health = InstanceHealth.Passing) =>
        new() { Service = "app", Id = id, Port = 5000, Health = health };

    [Fact]
    public async Task Upsert_NewInstance_RaisesTheIndexAndSortsNaturally()
    {
        var catalog = new InMemoryServiceCatalog();

        await catalog.UpsertAsync(Instance("app-10"));
        await catalog.UpsertAsync(Instance("app-2"));

        Assert.Equal(2, catalog.Current.Index);
        Assert.Equal(["app-2", "app-10"], catalog.Current.Instances.Select(i => i.Id));
    }

    [Fact]
    public async Task Upsert_SameValue_DoesNotChangeTheIndex()
    {
        var catalog = new InMemoryServiceCatalog();
        var instance = Instance("app-1");
        await catalog.UpsertAsync(instance);

        await catalog.UpsertAsync(instance with { });

        Assert.Equal(1, catalog.Current.Index);
    }

    [Fact]
    public async Task WaitForChange_CompletesOnTheNextChangeOnly()
    {
        var catalog = new InMemoryServiceCatalog();
        await catalog.UpsertAsync(Instance("app-1"));
        var waiting = catalog.WaitForChangeAsync(1, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        await catalog.UpsertAsync(Instance("app-1", InstanceHealth.Critical));

        var snapshot = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, snapshot.Index);
        Assert.False(snapshot.Instances.Single().IsRoutable);
    }

    [Fact]
    public async Task WaitForChange_OlderIndex_ReturnsAtOnce()
    {
        var catalog = new InMemoryServiceCatalog();
        await catalog.UpsertAsync(Instance("app-1"));

        var snapshot = await catalog.WaitForChangeAsync(0, CancellationToken.None);

        Assert.Equal(1, snapshot.Index);
    }

    [Fact]
    public async Task Remove_UnknownInstance_ReturnsFalseAndKeepsTheIndex()
    {
        var catalog = new InMemoryServiceCatalog();

        Assert.False(await catalog.RemoveAsync("app", "app-9"));
        Assert.Equal(0, catalog.Current.Index);
    }

    [Theory]
    [InlineData(InstanceHealth.Passing, false, 5000, true)]
    [InlineData(InstanceHealth.Warning, false, 5000, true)]
    [InlineData(InstanceHealth.Critical, false, 5000, false)]
    [InlineData(InstanceHealth.Passing, true, 5000, false)]
    [InlineData(InstanceHealth.Passing, false, 0, false)]
    public void IsRoutable_OnlyHealthyNotDrainingWithAPort(InstanceHealth health, bool draining, int port, bool routable)
    {
        Assert.Equal(routable, (Instance("app-1", health) with { Draining = draining, Port = port }).IsRoutable);
    }
}
