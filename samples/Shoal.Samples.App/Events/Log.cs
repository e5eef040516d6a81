namespace Shoal.Samples.App.Events;

/// <summary>The outbox publisher's log lines: one when Redis goes away, one when it is back, never one per attempt.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Events: cannot publish to stream {Stream} ({Reason}); transfers go on, their events wait in the outbox")]
    public static partial void PublishFailing(ILogger logger, string stream, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Events: publishing to stream {Stream} again")]
    public static partial void PublishRecovered(ILogger logger, string stream);

    [LoggerMessage(3, LogLevel.Debug, "Events: cut {Count} entries every consumer group is done with from stream {Stream}")]
    public static partial void Trimmed(ILogger logger, string stream, long count);
}
