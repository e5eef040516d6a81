using Shoal.Gateway.Redis;
using StackExchange.Redis;

namespace Shoal.Gateway.RateLimiting;

/// <summary>One limit's counters in a Redis shared by several gateways: one atomic script call per request, keys with a TTL.</summary>
/// <param name="settings">The limit.</param>
/// <param name="link">The Redis.</param>
/// <param name="prefix">The limit's key prefix (<c>shoal:rl:SERVICE:ROUTE:</c>): gateways of one service share it.</param>
internal sealed class RedisRateLimitStore(RateLimitSettings settings, RedisLink link, string prefix) : IRateLimitStore
{
    private readonly RedisScript _script = settings.Algorithm switch
    {
        RateLimitAlgorithm.SlidingWindow => RedisRateLimitScripts.Sliding,
        RateLimitAlgorithm.TokenBucket => RedisRateLimitScripts.Bucket,
        _ => RedisRateLimitScripts.Fixed,
    };

    private readonly RedisValue[] _arguments = [settings.Limit, RateLimitMath.WindowMs(settings), settings.Capacity];

    public async ValueTask<RateLimitDecision?> AcquireAsync(string key)
    {
        var result = await link.EvaluateAsync(_script, [prefix + key], _arguments).ConfigureAwait(false);
        if (result is null || result.Length < 4)
        {
            return null;
        }

        var reply = (RedisResult[])result!;
        return new RateLimitDecision(
            (long)reply[0] == 1,
            Math.Max(0, (long)reply[1]),
            TimeSpan.FromMilliseconds((long)reply[2]),
            TimeSpan.FromMilliseconds((long)reply[3]));
    }
}
