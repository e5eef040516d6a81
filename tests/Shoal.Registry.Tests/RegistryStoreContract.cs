using Shoal.Catalog;
using Shoal.Testing;

namespace Shoal.Registry.Tests;

/// <summary>What every registry store must do; run once per store.</summary>
public abstract class RegistryStoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly List<Task> _watchers = [];
    private readonly CancellationTokenSource _stop = new();

    protected IRegistryStore Store { get; set; } = null!;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IRegistryStore> CreateStoreAsync();

    /// <summary>Lets <paramref name="span"/> pass for TTLs: a fake clock and a sweep, or real time for a store whose server expires leases.</summary>
    protected abstract Task ElapseAsync(TimeSpan span);

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.OpenAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var watcher in _watchers)
        {
            await watcher.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await Store.DisposeAsync();
    }

    protected static Registration Instance(string id, int port = 5000, int weight = 1, InstanceHealth health = InstanceHealth.Passing, TimeSpan? ttl = null, TimeSpan? deregisterAfter = null) =>
        new(new ServiceInstance { Service = "api", Id = id, Port = port, Weight = weight, Health = health, RegisteredAt = DateTimeOffset.UnixEpoch.AddDays(1) }, ttl, deregisterAfter);

    /// <summary>Collects every event after <paramref name="index"/> in the background.</summary>
    protected List<RegistryEvent> Watch(long index)
    {
        var seen = new List<RegistryEvent>();
        _watchers.Add(Task.Run(async () =>
        {
            await foreach (var e in Store.WatchAsync(index, _stop.Token))
            {
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        }));
        return seen;
    }

    protected static async Task<List<RegistryEvent>> UntilAsync(List<RegistryEvent> seen, int count)
    {
        await Poll.UntilAsync(() => { lock (seen) { return seen.Count >= count; } }, Wait, $"{count} events");
        lock (seen)
        {
            return [.. seen];
        }
    }

    [Fact]
    public async Task Put_ThenRead_ShowsTheInstanceAtAHigherIndex()
    {
        var before = await Store.ReadAsync(CancellationToken.None);

        var index = await Store.PutAsync(Instance("a-1", port: 5001), CancellationToken.None);

        var after = await Store.ReadAsync(CancellationToken.None);
        Assert.True(index > before.Index);
        Assert.True(after.Index >= index);
        var entry = Assert.Single(after.Entries);
        Assert.Equal(("api", "a-1", 5001, InstanceHealth.Passing), (entry.Instance.Service, entry.Instance.Id, entry.Instance.Port, entry.Instance.Health));
    }

    [Fact]
    public async Task Put_SameRegistrationTwice_MakesNoSecondEvent()
    {
        Assert.True(await Store.PutAsync(Instance("a-1"), CancellationToken.None) > 0);

        Assert.Equal(0, await Store.PutAsync(Instance("a-1"), CancellationToken.None));
    }

    [Fact]
    public async Task Changes_AreWatchedInOrder_AsRegisteredUpdatedHealthDeregistered()
    {
        var start = (await Store.ReadAsync(CancellationToken.None)).Index;
        var seen = Watch(start);

        await Store.PutAsync(Instance("a-1"), CancellationToken.None);
        await Store.PutAsync(Instance("a-1", weight: 5), CancellationToken.None);
        await Store.PutAsync(Instance("a-1", weight: 5, health: InstanceHealth.Critical), CancellationToken.None);
        Assert.NotNull(await Store.DeleteAsync("api", "a-1", CancellationToken.None));

        var events = await UntilAsync(seen, 4);
        Assert.Equal([RegistryEventKind.Registered, RegistryEventKind.Updated, RegistryEventKind.Health, RegistryEventKind.Deregistered], events.Select(e => e.Kind));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Index < p.Second.Index), "indexes grow");
        Assert.Equal(5, events[1].Entry.Instance.Weight);
        Assert.Equal(InstanceHealth.Critical, events[2].Entry.Instance.Health);
    }

    [Fact]
    public async Task Watch_ThatFallsBehindSeveralWrites_StillGetsEachOfThemInOrder()
    {
        using var deadline = new CancellationTokenSource(Wait);
        var start = (await Store.ReadAsync(CancellationToken.None)).Index;
        await using var events = Store.WatchAsync(start, deadline.Token).GetAsyncEnumerator(deadline.Token);
        var first = events.MoveNextAsync();
        await Store.PutAsync(Instance("a-1"), CancellationToken.None);
        Assert.True(await first);

        // Not reading while three more writes commit.
        var indexes = new List<long>();
        for (var i = 2; i <= 4; i++)
        {
            indexes.Add(await Store.PutAsync(Instance($"a-{i}"), CancellationToken.None));
        }

        var seen = new List<RegistryEvent>();
        while (seen.Count < 3 && await events.MoveNextAsync())
        {
            seen.Add(events.Current);
        }

        Assert.Equal(indexes, seen.Select(e => e.Index));
        Assert.Equal(["a-2", "a-3", "a-4"], seen.Select(e => e.Entry.Instance.Id));
    }

    [Fact]
    public async Task Watch_ResumedAfterAnIndex_GetsExactlyTheChangesMissed()
    {
        var last = await Store.PutAsync(Instance("a-1"), CancellationToken.None);
        var missed = new List<long>();
        for (var i = 2; i <= 6; i++)
        {
            missed.Add(await Store.PutAsync(Instance("a-1", weight: i), CancellationToken.None));
        }

        var seen = Watch(last);
        var events = await UntilAsync(seen, 5);
        Assert.Equal(missed, events.Select(e => e.Index));
        Assert.Equal([2, 3, 4, 5, 6], events.Select(e => e.Entry.Instance.Weight));

        // And nothing else comes before the next real change.
        var next = await Store.PutAsync(Instance("a-2"), CancellationToken.None);
        events = await UntilAsync(seen, 6);
        Assert.Equal(next, events[5].Index);
        Assert.Equal(6, events.Count);
    }

    [Fact]
    public async Task Documents_AreReplacedByKey_AndReadByPrefix()
    {
        await Store.PutDocumentAsync("deployments/app", "{\"v\":1}", CancellationToken.None);
        await Store.PutDocumentAsync("deployments/app", "{\"v\":2}", CancellationToken.None);
        await Store.PutDocumentAsync("deployments/web", "{\"v\":3}", CancellationToken.None);
        await Store.PutDocumentAsync("other/x", "{}", CancellationToken.None);

        var documents = await Store.ReadDocumentsAsync("deployments/", CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["deployments/app"] = "{\"v\":2}", ["deployments/web"] = "{\"v\":3}" }, documents);
        Assert.Empty((await Store.ReadAsync(CancellationToken.None)).Entries);
    }

    [Fact]
    public async Task DeleteAndHeartbeat_OfAnUnknownInstance_ReturnNull()
    {
        Assert.Null(await Store.DeleteAsync("api", "nobody", CancellationToken.None));
        Assert.Null(await Store.HeartbeatAsync("api", "nobody", CancellationToken.None));
    }

    [Fact]
    public async Task Put_WithoutRegistrationTime_KeepsTheFirstOne()
    {
        await Store.PutAsync(Instance("a-1"), CancellationToken.None);
        var update = Instance("a-1", weight: 3);

        await Store.PutAsync(update with { Instance = update.Instance with { RegisteredAt = default } }, CancellationToken.None);

        var entry = Assert.Single((await Store.ReadAsync(CancellationToken.None)).Entries);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), entry.Instance.RegisteredAt);
        Assert.Equal(3, entry.Instance.Weight);
    }

    [Fact]
    public async Task Ttl_WithoutHeartbeats_TurnsCriticalThenDeregisters()
    {
        var start = (await Store.ReadAsync(CancellationToken.None)).Index;
        var seen = Watch(start);
        await Store.PutAsync(Instance("a-1", ttl: TimeSpan.FromSeconds(2), deregisterAfter: TimeSpan.FromSeconds(2)), CancellationToken.None);

        await ElapseAsync(TimeSpan.FromSeconds(3));
        var events = await UntilAsync(seen, 2);
        Assert.Equal(RegistryEventKind.Health, events[1].Kind);
        Assert.Equal(InstanceHealth.Critical, events[1].Entry.Instance.Health);
        Assert.True(Assert.Single((await Store.ReadAsync(CancellationToken.None)).Entries).Expired);

        await ElapseAsync(TimeSpan.FromSeconds(3));
        events = await UntilAsync(seen, 3);
        Assert.Equal([RegistryEventKind.Registered, RegistryEventKind.Health, RegistryEventKind.Deregistered], events.Select(e => e.Kind));
        Assert.Empty((await Store.ReadAsync(CancellationToken.None)).Entries);
    }

    [Fact]
    public async Task Heartbeats_KeepAnInstancePassing_AndOneAfterExpiryRevivesIt()
    {
        var start = (await Store.ReadAsync(CancellationToken.None)).Index;
        var seen = Watch(start);
        await Store.PutAsync(Instance("a-1", ttl: TimeSpan.FromSeconds(2)), CancellationToken.None);
        for (var i = 0; i < 4; i++)
        {
            await ElapseAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(0, await Store.HeartbeatAsync("api", "a-1", CancellationToken.None));
        }

        Assert.False(Assert.Single((await Store.ReadAsync(CancellationToken.None)).Entries).Expired);

        await ElapseAsync(TimeSpan.FromSeconds(3));
        await UntilAsync(seen, 2);
        Assert.True(await Store.HeartbeatAsync("api", "a-1", CancellationToken.None) > 0);

        var events = await UntilAsync(seen, 3);
        Assert.Equal([RegistryEventKind.Registered, RegistryEventKind.Health, RegistryEventKind.Health], events.Select(e => e.Kind));
        Assert.Equal(InstanceHealth.Passing, events[2].Entry.Instance.Health);
    }
}
