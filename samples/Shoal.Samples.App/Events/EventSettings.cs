using Shoal.Samples.Shared;
using StackExchange.Redis;

namespace Shoal.Samples.App.Events;

/// <summary>Where completed transfers are published: a Redis stream (<c>EVENTS_STREAM</c>, default <c>transfers</c>).</summary>
public sealed record EventSettings(ConfigurationOptions Redis, string Stream)
{
    /// <summary>From <c>REDIS_URL</c> or <c>ConnectionStrings__cache</c>; null (no events) when neither is set.</summary>
    public static EventSettings? FromConfiguration(IConfiguration configuration) =>
        RedisUrl.FromConfiguration(configuration, "cache") is { } redis
            ? new EventSettings(redis, configuration["EVENTS_STREAM"] is { Length: > 0 } stream ? stream : "transfers")
            : null;
}
