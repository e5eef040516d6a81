using System.Globalization;
using StackExchange.Redis;

namespace Shoal.Samples.Ledger;

/// <summary>A <c>transfer.completed</c> entry of the stream, as the sample app writes it.</summary>
public sealed record TransferEvent(string TransferId, string From, string To, long Amount)
{
    /// <summary>The longest transfer id or account name taken; anything longer is not from the app.</summary>
    public const int MaxTextLength = 200;

    /// <summary>Reads one entry; null with the reason when it is not a well-formed transfer event.</summary>
    public static TransferEvent? Parse(StreamEntry entry, out string? error)
    {
        if (entry.IsNull || entry.Values is not { Length: > 0 } values)
        {
            error = "the entry has no fields (deleted?)";
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            fields.TryAdd(value.Name.ToString(), value.Value.ToString());
        }

        long amount = 0;
        error = fields.GetValueOrDefault("type") != "transfer.completed" ? "'type' is not transfer.completed"
            : !IsText(fields, "transferId") ? "'transferId' is missing or too long"
            : !IsText(fields, "from") || !IsText(fields, "to") ? "'from' or 'to' is missing or too long"
            : !long.TryParse(fields.GetValueOrDefault("amount"), NumberStyles.None, CultureInfo.InvariantCulture, out amount) || amount <= 0
                ? "'amount' is not a positive whole number"
            : null;
        return error is null ? new TransferEvent(fields["transferId"], fields["from"], fields["to"], amount) : null;
    }

    private static bool IsText(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && text.Length is > 0 and <= MaxTextLength;
}
