using System.Globalization;
using StackExchange.Redis;

namespace Shoal.Samples.App.Events;

/// <summary>
/// Where the stream can be cut so that it does not grow for ever: below the oldest entry a consumer group may still read.
/// A group still needs its pending entries (delivered, not acknowledged: a consumer that crashed before its <c>XACK</c> reads
/// them again, another takes them over) and everything after the last entry it was given. Redis 8.2 does the same itself
/// (<c>XTRIM … ACKED</c>); the Redis of Debian 12 (7.0) does not, so the publisher asks the groups and cuts with
/// <c>XTRIM MINID</c>, which keeps every entry from that id on.
/// </summary>
internal static class StreamTrim
{
    /// <summary>One group's progress: the last entry delivered to it and, when it has pending entries, the oldest of them.</summary>
    public readonly record struct GroupProgress(string LastDeliveredId, string? LowestPendingId);

    /// <summary>
    /// The id below which no group needs an entry, or null when nothing may be cut: no group yet (the ledger creates its
    /// group at the stream's start, so it reads what was published before it came), or a group that was given nothing.
    /// </summary>
    public static string? KeepFrom(IReadOnlyList<GroupProgress> groups)
    {
        (ulong Ms, ulong Seq)? keep = null;
        foreach (var group in groups)
        {
            var needed = Parse(group.LowestPendingId ?? group.LastDeliveredId);
            if (keep is null || needed.CompareTo(keep.Value) < 0)
            {
                keep = needed;
            }
        }

        return keep is { } id && id != (0, 0) ? string.Create(CultureInfo.InvariantCulture, $"{id.Ms}-{id.Seq}") : null;
    }

    /// <summary>Asks the stream's groups how far each has got and cuts what all of them are done with; returns the entries removed.</summary>
    public static async Task<long> TrimAsync(IDatabase database, string stream)
    {
        if (!await database.KeyExistsAsync(stream))
        {
            return 0;
        }

        var groups = new List<GroupProgress>();
        foreach (var group in await database.StreamGroupInfoAsync(stream))
        {
            string? lowestPending = null;
            if (group.PendingMessageCount > 0)
            {
                var pending = await database.StreamPendingAsync(stream, group.Name);
                lowestPending = pending.PendingMessageCount > 0 ? pending.LowestPendingMessageId.ToString() : null;
            }

            groups.Add(new GroupProgress(group.LastDeliveredId ?? "0-0", lowestPending));
        }

        return KeepFrom(groups) is { } keepFrom ? await database.StreamTrimByMinIdAsync(stream, keepFrom) : 0;
    }

    /// <summary>A stream entry id (<c>milliseconds-sequence</c>) as two numbers, which order as the ids do.</summary>
    private static (ulong Ms, ulong Seq) Parse(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var ms = ulong.Parse(dash < 0 ? id : id[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
        var seq = dash < 0 ? 0 : ulong.Parse(id[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        return (ms, seq);
    }
}
