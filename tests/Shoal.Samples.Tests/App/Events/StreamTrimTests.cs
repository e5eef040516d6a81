using Shoal.Samples.App.Events;
using static Shoal.Samples.App.Events.StreamTrim;

namespace Shoal.Samples.Tests.App.Events;

/// <summary>Where the publisher may cut the stream: never at an entry a consumer group can still read.</summary>
public sealed class StreamTrimTests
{
    [Fact]
    public void KeepFrom_NoGroupYet_CutsNothing() =>
        // The ledger creates its group at the stream's start: what was published before it came is still to be read.
        Assert.Null(KeepFrom([]));

    [Fact]
    public void KeepFrom_GroupGivenNothing_CutsNothing() =>
        Assert.Null(KeepFrom([new GroupProgress("0-0", null)]));

    [Fact]
    public void KeepFrom_NothingPending_KeepsFromTheLastDeliveredEntry() =>
        Assert.Equal("1700000000123-4", KeepFrom([new GroupProgress("1700000000123-4", null)]));

    [Fact]
    public void KeepFrom_PendingEntries_KeepsFromTheOldestPending() =>
        // Delivered but not acknowledged: a consumer that crashed before its XACK reads it again.
        Assert.Equal("1700000000100-0", KeepFrom([new GroupProgress("1700000000200-3", "1700000000100-0")]));

    [Fact]
    public void KeepFrom_SeveralGroups_KeepsWhatTheFurthestBehindNeeds() =>
        Assert.Equal("1700000000050-7", KeepFrom([
            new GroupProgress("1700000000300-0", "1700000000200-0"),
            new GroupProgress("1700000000050-7", null),
            new GroupProgress("1700000000400-0", null),
        ]));

    [Fact]
    public void KeepFrom_OneGroupGivenNothing_CutsNothing() =>
        Assert.Null(KeepFrom([new GroupProgress("1700000000300-0", null), new GroupProgress("0-0", null)]));

    [Fact]
    public void KeepFrom_IdsCompareAsNumbers_NotAsText() =>
        // As text "999-0" sorts after "1000-0"; as an id it is older.
        Assert.Equal("999-12", KeepFrom([new GroupProgress("1000-0", null), new GroupProgress("999-12", null)]));
}
