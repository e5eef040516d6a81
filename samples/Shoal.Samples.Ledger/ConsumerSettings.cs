using Shoal.Samples.Shared;
using StackExchange.Redis;

namespace Shoal.Samples.Ledger;

/// <summary>Which stream the ledger reads and as whom.</summary>
/// <param name="Redis">From <c>REDIS_URL</c> or <c>ConnectionStrings__cache</c>.</param>
/// <param name="Stream"><c>EVENTS_STREAM</c>, default <c>transfers</c>.</param>
/// <param name="Group"><c>LEDGER_GROUP</c>, default <c>ledger</c>: replicas of one group share the stream's entries.</param>
/// <param name="Consumer">The replica's id (<c>SHOAL_INSTANCE_ID</c>): stable across its restarts, so it finds its own pending entries.</param>
/// <param name="ClaimIdle"><c>LEDGER_CLAIM_IDLE_MS</c>, default 30 s: another consumer's entry unacknowledged that long is taken over (checked that often, at most every 10 s).</param>
/// <param name="CrashOnceAfter">
/// <c>LEDGER_CRASH_ONCE_AFTER=N</c>, for experiments: the first run in a data directory dies after recording its Nth
/// transfer and before acknowledging it, as a crash between the two would.
/// </param>
public sealed record ConsumerSettings(ConfigurationOptions Redis, string Stream, string Group, string Consumer, TimeSpan ClaimIdle, int CrashOnceAfter)
{
    /// <summary>Null when no Redis is configured.</summary>
    public static ConsumerSettings? FromConfiguration(IConfiguration configuration, string instanceId) =>
        RedisUrl.FromConfiguration(configuration, "cache") is { } redis
            ? new ConsumerSettings(
                redis,
                configuration["EVENTS_STREAM"] is { Length: > 0 } stream ? stream : "transfers",
                configuration["LEDGER_GROUP"] is { Length: > 0 } group ? group : "ledger",
                instanceId,
                // Not below 100 ms: a shorter idle time would take entries from consumers still working on them.
                TimeSpan.FromMilliseconds(Math.Max(100, SettingNumbers.Read(configuration, "LEDGER_CLAIM_IDLE_MS", 30_000))),
                SettingNumbers.Read(configuration, "LEDGER_CRASH_ONCE_AFTER", 0))
            : null;
}
