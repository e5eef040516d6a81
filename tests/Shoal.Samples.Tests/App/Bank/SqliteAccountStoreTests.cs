using Microsoft.Extensions.Time.Testing;
using Shoal.Samples.App.Bank;
using Shoal.Samples.App.Events;

namespace Shoal.Samples.Tests.App.Bank;

/// <summary>The outbox side of the SQLite store: an event per committed transfer, kept until a publish succeeds.</summary>
public sealed class SqliteAccountStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-bank-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task DrainAsync_PublishThrowsThenSucceeds_EventKeptThenDeliveredOnce()
    {
        var store = await StoreAsync(recordEvents: true);
        var transfer = await store.TransferAsync("alice", "bob", 25, CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(() => store.DrainAsync(10, (_, _) => throw new TimeoutException("Redis is away"), CancellationToken.None));
        var published = new List<TransferCompleted>();
        var drained = await store.DrainAsync(10, (events, _) => { published.AddRange(events); return Task.CompletedTask; }, CancellationToken.None);
        var again = await store.DrainAsync(10, (events, _) => { published.AddRange(events); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal((1, 0), (drained, again));
        Assert.Equal(new TransferCompleted(transfer.TransferId!, "alice", "bob", 25, _time.GetUtcNow()), Assert.Single(published));
    }

    [Fact]
    public async Task DrainAsync_MoreThanABatch_OldestFirstInBatches()
    {
        var store = await StoreAsync(recordEvents: true);
        var ids = new List<string>();
        for (var amount = 1; amount <= 5; amount++)
        {
            ids.Add((await store.TransferAsync("alice", "bob", amount, CancellationToken.None)).TransferId!);
        }

        var batches = new List<string[]>();
        while (await store.DrainAsync(2, (events, _) => { batches.Add([.. events.Select(e => e.TransferId)]); return Task.CompletedTask; }, CancellationToken.None) > 0)
        {
        }

        Assert.Equal([2, 2, 1], batches.Select(b => b.Length));
        Assert.Equal(ids, batches.SelectMany(b => b));
    }

    [Fact]
    public async Task DrainAsync_WhilePublishing_TransfersGoOnAndOthersSkipTheLeasedRowsUntilTheLeaseRunsOut()
    {
        var store = await StoreAsync(recordEvents: true);
        await store.TransferAsync("alice", "bob", 1, CancellationToken.None);
        var publishing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var slow = store.DrainAsync(10, async (_, _) => { publishing.SetResult(); await release.Task; }, CancellationToken.None);
        await publishing.Task;

        var during = await store.TransferAsync("bob", "alice", 2, CancellationToken.None);
        var other = new List<long>();
        await store.DrainAsync(10, (events, _) => { other.AddRange(events.Select(e => e.Amount)); return Task.CompletedTask; }, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        var afterLease = new List<long>();
        await store.DrainAsync(10, (events, _) => { afterLease.AddRange(events.Select(e => e.Amount)); return Task.CompletedTask; }, CancellationToken.None);
        release.SetResult();

        Assert.Equal(TransferOutcome.Done, during.Outcome);
        Assert.Equal([2], other);
        Assert.Equal([1], afterLease);
        Assert.Equal(1, await slow);
    }

    [Fact]
    public async Task TransferAsync_OverdraftOrEventsOff_NothingInTheOutbox()
    {
        var withEvents = await StoreAsync(recordEvents: true, "with.db");
        var withoutEvents = await StoreAsync(recordEvents: false, "without.db");

        var overdraft = await withEvents.TransferAsync("carol", "alice", 1_000_000, CancellationToken.None);
        var done = await withoutEvents.TransferAsync("alice", "bob", 1, CancellationToken.None);

        Assert.Equal((TransferOutcome.InsufficientFunds, TransferOutcome.Done), (overdraft.Outcome, done.Outcome));
        Assert.NotNull(done.TransferId);
        Assert.Equal(0, await withEvents.DrainAsync(10, (_, _) => Task.CompletedTask, CancellationToken.None));
        Assert.Equal(0, await withoutEvents.DrainAsync(10, (_, _) => Task.CompletedTask, CancellationToken.None));
    }

    private async Task<SqliteAccountStore> StoreAsync(bool recordEvents, string file = "bank.db")
    {
        var store = new SqliteAccountStore(Path.Combine(_directory, file), _time, recordEvents);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }
}
