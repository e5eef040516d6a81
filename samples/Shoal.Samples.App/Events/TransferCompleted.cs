using System.Globalization;
using StackExchange.Redis;

namespace Shoal.Samples.App.Events;

/// <summary>The event a committed transfer leaves in the outbox, later added to the stream.</summary>
public sealed record TransferCompleted(string TransferId, string From, string To, long Amount, DateTimeOffset CompletedAt)
{
    /// <summary>The <c>type</c> field of every entry.</summary>
    public const string Type = "transfer.completed";

    /// <summary>The stream entry: flat name/value pairs, so <c>XRANGE</c> shows them as they are.</summary>
    public NameValueEntry[] ToStreamFields() =>
    [
        new("type", Type),
        new("transferId", TransferId),
        new("from", From),
        new("to", To),
        new("amount", Amount),
        new("completedAt", CompletedAt.ToString("O", CultureInfo.InvariantCulture)),
    ];
}
