using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Shoal.Registry.Stores;
using Shoal.Testing;

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

    [Fact]
    public async Task Put_LogGrowsPastSqlitesCheckpointSize_NoCheckpointOnTheWritePath()
    {
        await using var store = await OpenAsync(".quiet", every: 10_000);
        for (var i = 1; i <= 800; i++)
        {
            await store.PutAsync(Instance($"a-{i}"), CancellationToken.None);
        }

        // SQLite's own checkpoint, inside the commit that passes 1,000 pages, would have kept the log near that size.
        Assert.True(new FileInfo(_path + ".quiet-wal").Length > 2000 * (4096 + 24), $"the log is {new FileInfo(_path + ".quiet-wal").Length} bytes");
        Assert.Equal(0, store.Checkpoints);
    }

    [Fact]
    public async Task Checkpoint_StoreIdle_RunsInTheBackgroundWithoutAnotherWrite()
    {
        await using var store = await OpenAsync(".idle", every: 10_000);
        await store.PutAsync(Instance("a-1"), CancellationToken.None);
        await store.PutAsync(Instance("a-2"), CancellationToken.None);
        var written = _time.GetUtcNow();
        Assert.Equal(0, store.Checkpoints);

        // The clock moves on while the checkpointer may still be arming its timer.
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return store.Checkpoints == 1;
        }, Wait, "a checkpoint after a second without writes");
        Assert.True(_time.GetUtcNow() - written >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Checkpoint_KeepsFailing_WarnsOnceWithTheReason_AndSaysWhenItWorksAgain()
    {
        var log = new FakeLogger();
        await using var store = new SqliteRegistryStore(_path + ".failing", _time) { CheckpointEvery = 1, Logger = log, CheckpointSql = "PRAGMA wal_checkpoint(NO_SUCH_MODE" };
        await store.OpenAsync(CancellationToken.None);
        for (var i = 1; i <= 3; i++)
        {
            await store.PutAsync(Instance($"a-{i}"), CancellationToken.None);
            await Poll.UntilAsync(() => store.FailedCheckpoints >= i, Wait, $"failed checkpoint {i}");
        }

        store.CheckpointSql = "PRAGMA wal_checkpoint(PASSIVE);";
        await store.PutAsync(Instance("a-4"), CancellationToken.None);
        await Poll.UntilAsync(() => store.Checkpoints == 1, Wait, "a checkpoint that works");

        var records = log.Collector.GetSnapshot();
        var warning = Assert.Single(records, r => r.Id.Id == 4004);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("SQLite Error", warning.Message, StringComparison.Ordinal);
        Assert.Contains(_path + ".failing", warning.Message, StringComparison.Ordinal);
        var recovered = Assert.Single(records, r => r.Id.Id == 4005);
        Assert.Contains("after 3 failed attempts", recovered.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await store.ReadAsync(CancellationToken.None)).Entries.Count);
    }

    [Fact]
    public async Task Checkpoint_EveryNWritesUnderWrites_LosesAndReordersNothing()
    {
        var store = await OpenAsync(".busy", every: 50);
        var seen = new List<RegistryEvent>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync(0, stop.Token))
            {
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        });
        // In blocks of 50, each waited for: the checkpointer is a background task, and on a busy machine 600 writes in a
        // row can all land before it first runs (then one checkpoint takes them all, which is as correct).
        for (var block = 1; block <= 12; block++)
        {
            for (var i = ((block - 1) * 50) + 1; i <= block * 50; i++)
            {
                await store.PutAsync(Instance($"a-{i % 40}", weight: i), CancellationToken.None);
            }

            await Poll.UntilAsync(() => store.Checkpoints >= block, Wait, $"checkpoint {block}, after {block * 50} writes, without the clock moving");
        }

        await Poll.UntilAsync(() => { lock (seen) { return seen.Count == 600; } }, Wait, "every event watched");
        await stop.CancelAsync();
        await watcher.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), seen.Select(e => e.Index));
        Assert.Equal(Enumerable.Range(1, 600), seen.Select(e => e.Entry.Instance.Weight));
        await store.DisposeAsync();

        await using var reopened = await OpenAsync(".busy", every: 50);
        var view = await reopened.ReadAsync(CancellationToken.None);
        Assert.Equal(600, view.Index);
        Assert.Equal(Enumerable.Range(561, 40).Order(), view.Entries.Select(e => e.Instance.Weight).Order());
    }

    [Fact]
    public async Task Checkpoint_HeartbeatsThatOnlyRenewATtl_DoNotWakeTheCheckpointer_AWriteClientsSeeDoes()
    {
        await using var store = await OpenAsync(".heartbeats", every: 10_000);
        await store.PutAsync(Instance("a-1", ttl: TimeSpan.FromSeconds(10)), CancellationToken.None);
        Assert.Equal(1, store.CheckpointWakes);
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return store.Checkpoints == 1;
        }, Wait, "the idle checkpoint after the registration");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, await store.HeartbeatAsync("api", "a-1", CancellationToken.None));
        }

        Assert.Equal(1, store.CheckpointWakes);
        await store.PutAsync(Instance("a-2"), CancellationToken.None);
        Assert.Equal(2, store.CheckpointWakes);
    }

    [Fact]
    public async Task Sweep_SaysWhenTheNextTtlOrDeregisterAfterRunsOut_NullWhenNoneWill()
    {
        await using var store = await OpenAsync(".next", every: 10_000);
        Assert.Null(await store.SweepAsync(CancellationToken.None));
        await store.PutAsync(Instance("a-1"), CancellationToken.None);
        Assert.Null(await store.SweepAsync(CancellationToken.None));

        await store.PutAsync(Instance("a-2", ttl: TimeSpan.FromSeconds(5), deregisterAfter: TimeSpan.FromSeconds(30)), CancellationToken.None);
        await store.PutAsync(Instance("a-3", ttl: TimeSpan.FromSeconds(8)), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(5), await store.SweepAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(3), await store.SweepAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(3));

        // a-3 expired for good (no deregister-after); a-2 is removed 30 s after its TTL ran out.
        Assert.Equal(TimeSpan.FromSeconds(27), await store.SweepAsync(CancellationToken.None));
    }

    private async Task<SqliteRegistryStore> OpenAsync(string suffix, int every)
    {
        var store = new SqliteRegistryStore(_path + suffix, _time) { CheckpointEvery = every, CheckpointIdle = TimeSpan.FromSeconds(1) };
        await store.OpenAsync(CancellationToken.None);
        return store;
    }
}
