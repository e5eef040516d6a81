namespace Shoal.Samples.Ledger;

/// <summary>The consumer's log lines: an outage is logged when it starts and when it ends, not per attempt.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Ledger: cannot read stream {Stream} ({Reason}); retrying")]
    public static partial void ReadFailing(ILogger logger, string stream, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Ledger: reading stream {Stream} again")]
    public static partial void ReadRecovered(ILogger logger, string stream);

    [LoggerMessage(3, LogLevel.Warning, "Ledger: entry {EntryId} of {Stream} is not a transfer event ({Reason}); acknowledged and skipped")]
    public static partial void Rejected(ILogger logger, string entryId, string stream, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Ledger: consumer group {Group} on {Stream} created (from the stream's start)")]
    public static partial void GroupCreated(ILogger logger, string group, string stream);

    [LoggerMessage(5, LogLevel.Warning, "Ledger: crashing on purpose after {Count} transfers (LEDGER_CRASH_ONCE_AFTER), before acknowledging entry {EntryId}")]
    public static partial void CrashingOnPurpose(ILogger logger, int count, string entryId);
}
