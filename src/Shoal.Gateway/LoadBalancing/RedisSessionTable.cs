using System.Globalization;
using Shoal.Gateway.Model;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Redis;
using StackExchange.Redis;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// The session table in Redis, shared by every gateway that names the same Redis: session (hashed) → instance id, with
/// the idle timeout as TTL, refreshed on use. One atomic script call: keep the pin while its instance is one the gateway
/// can route to, else pin the gateway's candidate, so two gateways that race on a new session agree on the first writer.
/// </summary>
internal static class RedisSessionTable
{
    private static readonly RedisScript s_pin = new("""
        local current = redis.call('GET', KEYS[1])
        if current then
          for i = 2, #ARGV do
            if ARGV[i] == current then
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
              return current
            end
          end
        end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
        return ARGV[2]
        """);

    /// <summary>The instance id the session is pinned to, after pinning it to <paramref name="candidate"/> if need be; null when Redis cannot answer.</summary>
    public static async ValueTask<string?> PinAsync(RedisLink link, string service, string session, string candidate, IReadOnlyList<DestinationState> available, TimeSpan idle)
    {
        var values = new RedisValue[available.Count + 2];
        values[0] = ((long)idle.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        values[1] = candidate;
        for (var i = 0; i < available.Count; i++)
        {
            values[i + 2] = available[i].Id;
        }

        var result = await link.EvaluateAsync(s_pin, [$"shoal:session:{service}:{RequestKey.Hash('s', session)}"], values).ConfigureAwait(false);
        return result is null || result.IsNull ? null : (string?)result;
    }
}
