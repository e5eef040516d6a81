using Shoal.Samples.Ledger;
using StackExchange.Redis;

namespace Shoal.Samples.Tests.Ledger;

public sealed class TransferEventTests
{
    [Fact]
    public void Parse_TheAppsEntry_ReadsEveryField()
    {
        var transfer = TransferEvent.Parse(Entry("type", "transfer.completed", "transferId", "t-1", "from", "alice", "to", "bob", "amount", "42", "completedAt", "x"), out var error);

        Assert.Null(error);
        Assert.Equal(new TransferEvent("t-1", "alice", "bob", 42), transfer);
    }

    [Theory]
    [InlineData("'type' is not transfer.completed", "type", "transfer.failed", "transferId", "t", "from", "a", "to", "b", "amount", "1")]
    [InlineData("'transferId' is missing or too long", "type", "transfer.completed", "from", "a", "to", "b", "amount", "1")]
    [InlineData("'from' or 'to' is missing or too long", "type", "transfer.completed", "transferId", "t", "to", "b", "amount", "1")]
    [InlineData("'amount' is not a positive whole number", "type", "transfer.completed", "transferId", "t", "from", "a", "to", "b", "amount", "0")]
    [InlineData("'amount' is not a positive whole number", "type", "transfer.completed", "transferId", "t", "from", "a", "to", "b", "amount", "1.5")]
    [InlineData("'amount' is not a positive whole number", "type", "transfer.completed", "transferId", "t", "from", "a", "to", "b", "amount", "9223372036854775808")]
    public void Parse_Malformed_NullWithTheReason(string reason, params string[] fields)
    {
        Assert.Null(TransferEvent.Parse(Entry(fields), out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Parse_OversizedIdOrDeletedEntry_Rejected()
    {
        var longId = new string('x', TransferEvent.MaxTextLength + 1);

        Assert.Null(TransferEvent.Parse(Entry("type", "transfer.completed", "transferId", longId, "from", "a", "to", "b", "amount", "1"), out var tooLong));
        Assert.Null(TransferEvent.Parse(new StreamEntry("1-0", []), out var deleted));
        Assert.Equal("'transferId' is missing or too long", tooLong);
        Assert.Equal("the entry has no fields (deleted?)", deleted);
    }

    private static StreamEntry Entry(params string[] fields) =>
        new("1-0", [.. fields.Chunk(2).Select(p => new NameValueEntry(p[0], p[1]))]);
}
