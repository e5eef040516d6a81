using Microsoft.Extensions.Time.Testing;
using Shoal.Registry.Stores;

namespace Shoal.Registry.Tests;

public sealed class SqliteRegistryStoreTests : RegistryStoreContract
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("shoal-reg-").FullName, "registry.db");

    protected override Task<IRegistryStore> CreateStoreAsync() => Task.FromResult<IRegistryStore>(new SqliteRegistryStore(_path, _time));

    protected override async Task ElapseAsync(TimeSpan span)
    {
        _time.Advance(span);
        await Store.SweepAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Reopened_KeepsRegistrationsIndexAndAppliesTtlsThatRanOutMeanwhile()
    {
        await Store.PutAsync(Instance("a-1", ttl: TimeSpan.FromSeconds(5)), CancellationToken.None);
        var index = await Store.PutAsync(Instance("a-2"), CancellationToken.None);
        await Store.DisposeAsync();

        _time.Advance(TimeSpan.FromSeconds(10));
        await using var reopened = new SqliteRegistryStore(_path, _time);
        await reopened.OpenAsync(CancellationToken.None);
        var view = await reopened.ReadAsync(CancellationToken.None);
        Assert.Equal(index, view.Index);
        Assert.Equal(["a-1", "a-2"], view.Entries.Select(e => e.Instance.Id).Order());

        await reopened.SweepAsync(CancellationToken.None);
        Assert.True((await reopened.ReadAsync(CancellationToken.None)).Entries.Single(e => e.Instance.Id == "a-1").Expired);
        Store = reopened;
    }

    [Fact]
    public async Task Watch_FromBeforeThePrunedHistory_SaysTheHistoryIsLost()
    {
        await Store.DisposeAsync();
        await using var small = new SqliteRegistryStore(_path + ".small", _time, keepEvents: 10);
        await small.OpenAsync(CancellationToken.None);
        for (var i = 1; i <= 1000; i++)
        {
            await small.PutAsync(Instance("a-1", weight: i), CancellationToken.None);
        }

        await Assert.ThrowsAsync<RegistryHistoryLostException>(async () =>
        {
            await foreach (var _ in small.WatchAsync(5, CancellationToken.None))
            {
                break;
            }
        });
        Store = new SqliteRegistryStore(_path, _time);
    }

    [Fact]
    public async Task Watch_CatchingUpOverMoreThanOneReadOfTheLog_ThenFollowingWrites_GetsEveryEventOnceInOrder()
    {
        // One catch-up read takes 1,000 events: the watcher has to read the log again before it follows the writes.
        for (var i = 1; i <= 1003; i++)
        {
            await Store.PutAsync(Instance("a-1", weight: i), CancellationToken.None);
        }

        var seen = Watch(0);
        await UntilAsync(seen, 1003);
        await Store.DeleteAsync("api", "a-1", CancellationToken.None);
        var events = await UntilAsync(seen, 1004);
        Assert.Equal(Enumerable.Range(1, 1004).Select(i => (long)i), events.Select(e => e.Index));
        Assert.Equal(Enumerable.Range(1, 1003), events.Take(1003).Select(e => e.Entry.Instance.Weight));
        Assert.Equal(RegistryEventKind.Deregistered, events[^1].Kind);

        await Store.PutAsync(Instance("a-2"), CancellationToken.None);
        events = await UntilAsync(seen, 1005);
        Assert.Equal(1005, events.Count);
        Assert.Equal("a-2", events[^1].Entry.Instance.Id);
    }
}
