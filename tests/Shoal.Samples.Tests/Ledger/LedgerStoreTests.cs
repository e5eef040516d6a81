using Microsoft.Extensions.Configuration;
using Shoal.Samples.Ledger;

namespace Shoal.Samples.Tests.Ledger;

public sealed class LedgerStoreTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-ledger-").FullName;
    private LedgerStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = LedgerStore.Create(new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("SHOAL_DATA_DIR", (string?)_directory)]).Build());
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RecordAsync_SameTransferTwice_CountedOnce()
    {
        var first = await _store.RecordAsync(new TransferEvent("t-1", "alice", "bob", 5), "1-0", CancellationToken.None);
        var again = await _store.RecordAsync(new TransferEvent("t-1", "alice", "bob", 5), "2-0", CancellationToken.None);
        var other = await _store.RecordAsync(new TransferEvent("t-2", "bob", "alice", 7), "3-0", CancellationToken.None);

        var (count, sum, lastIds) = await _store.SummaryAsync(10, CancellationToken.None);
        Assert.Equal((true, false, true), (first, again, other));
        Assert.Equal((2, 12), (count, sum));
        Assert.Equal(["t-2", "t-1"], lastIds);
    }

    [Fact]
    public async Task SummaryAsync_Empty_ZeroesAndNoIds()
    {
        var (count, sum, lastIds) = await _store.SummaryAsync(0, CancellationToken.None);

        Assert.Equal((0, 0), (count, sum));
        Assert.Empty(lastIds);
    }
}
