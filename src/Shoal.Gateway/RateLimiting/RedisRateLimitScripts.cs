using Shoal.Gateway.Redis;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// One Lua script per algorithm, each a single atomic step on one key, the arithmetic of <see cref="RateLimitMath"/>:
/// ARGV = limit, window (ms), bucket size; the reply = admitted (1/0), remaining, reset (ms), retry after (ms). Windows
/// and refills read Redis's clock (TIME), so gateways with skewed clocks still share one count.
/// </summary>
internal static class RedisRateLimitScripts
{
    public static RedisScript Fixed { get; } = new("""
        local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
        local count = tonumber(redis.call('GET', KEYS[1]) or '0')
        local ttl = redis.call('PTTL', KEYS[1])
        if count >= limit and ttl > 0 then
          return {0, 0, ttl, ttl}
        end
        if ttl < 0 then
          count = 0
        end
        count = count + 1
        if ttl < 0 then
          redis.call('SET', KEYS[1], count, 'PX', window)
          ttl = window
        else
          redis.call('INCR', KEYS[1])
        end
        return {1, limit - count, ttl, 0}
        """);

    public static RedisScript Sliding { get; } = new("""
        local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local start = now - (now % window)
        local v = redis.call('HMGET', KEYS[1], 's', 'c', 'p')
        local s, c, p = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0
        if s ~= start then
          if s == start - window then p = c else p = 0 end
          c = 0
        end
        local elapsed = now - start
        local estimate = p * (window - elapsed) / window + c
        if estimate + 1 > limit then
          local retry = window - elapsed
          if c + 1 <= limit and p > 0 then
            retry = math.ceil(window * (1 - (limit - 1 - c) / p)) - elapsed
          end
          return {0, 0, window - elapsed, math.max(1, retry)}
        end
        c = c + 1
        redis.call('HSET', KEYS[1], 's', start, 'c', c, 'p', p)
        redis.call('PEXPIRE', KEYS[1], 2 * window)
        return {1, math.floor(limit - estimate - 1), window - elapsed, 0}
        """);

    public static RedisScript Bucket { get; } = new("""
        local limit, window, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rate = limit / window
        local v = redis.call('HMGET', KEYS[1], 's', 'c')
        local tokens = capacity
        if tonumber(v[1]) then
          tokens = math.min(capacity, tonumber(v[2]) + math.max(0, now - tonumber(v[1])) * rate)
        end
        if tokens < 1 then
          return {0, 0, math.ceil((capacity - tokens) / rate), math.ceil((1 - tokens) / rate)}
        end
        tokens = tokens - 1
        redis.call('HSET', KEYS[1], 's', now, 'c', tostring(tokens))
        redis.call('PEXPIRE', KEYS[1], math.ceil(window * capacity / limit))
        return {1, math.floor(tokens), math.ceil((capacity - tokens) / rate), 0}
        """);
}
