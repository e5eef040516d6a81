using Shoal.Samples.Shared;
using StackExchange.Redis;

namespace Shoal.Samples.App.Events;

/// <summary>Where completed transfers are published: a Redis stream (<c>EVENTS_STREAM</c>, default <c>transfers</c>).</summary>
/// <param name="TrimInterval">
/// <c>EVENTS_TRIM_INTERVAL_MS</c>, default 30 s (not below 100 ms): how often the publisher cuts the stream's entries that
/// every consumer group is done with (<see cref="StreamTrim"/>).
/// </param>
public sealed record EventSettings(ConfigurationOptions Redis, string Stream, TimeSpan TrimInterval)
{
    /// <summary>From <c>REDIS_URL</c> or <c>ConnectionStrings__cache</c>; null (no events) when neither is set.</summary>
    public static EventSettings? FromConfiguration(IConfiguration configuration) =>
        RedisUrl.FromConfiguration(configuration, "cache") is { } redis
            ? new EventSettings(
                redis,
                configuration["EVENTS_STREAM"] is { Length: > 0 } stream ? stream : "transfers",
                TimeSpan.FromMilliseconds(Math.Max(100, SettingNumbers.Read(configuration, "EVENTS_TRIM_INTERVAL_MS", 30_000))))
            : null;
}
