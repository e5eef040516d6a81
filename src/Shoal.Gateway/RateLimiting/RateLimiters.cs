using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;
using Shoal.Gateway.Redis;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// Builds each service's <see cref="ServiceRateLimiter"/> from its <c>rate_limit:</c> the first time a request needs it
/// after its settings change, and keeps it on the settings' <see cref="ClusterConfig"/>, so the request path does one
/// field read for a service without limits.
/// </summary>
internal sealed class RateLimiters(GatewayOptions options, RedisLinks redis, TimeProvider time, GatewayMetrics? metrics = null)
{
    private readonly GatewayMetrics _metrics = metrics ?? GatewayMetrics.Disabled;

    /// <summary>Counts the request against its service's limits; false when it was answered here.</summary>
    public ValueTask<bool> AdmitAsync(HttpContext context, ClusterState cluster, ClusterConfig config)
    {
        var limiter = config.RateLimiter ?? config.SetRateLimiter(Build(cluster.Service, config.Options.RateLimit));
        return limiter.IsEmpty ? ValueTask.FromResult(true) : limiter.AdmitAsync(context, cluster);
    }

    public ServiceRateLimiter Build(string service, RateLimitSettings? settings)
    {
        if (settings is null)
        {
            return ServiceRateLimiter.None;
        }

        var routes = settings.Routes
            .Select(r => (Pattern: RoutePattern.Parse(r.Key), Rule: Rule($"{service} {r.Key}", service, r.Key, r.Value)))
            .OrderByDescending(r => r.Pattern.Exact)
            .ThenByDescending(r => r.Pattern.Path.Length)
            .ToArray();
        return new ServiceRateLimiter(Rule(service, service, "*", settings), routes, _metrics);
    }

    private RateLimitRule Rule(string name, string service, string route, RateLimitSettings settings)
    {
        IRateLimitStore store = settings.Store == StoreKind.Redis && settings.Redis is { } reference
            ? new RedisRateLimitStore(settings, redis.For(reference), $"shoal:rl:{service}:{route}:")
            : new LocalRateLimitStore(settings, time);
        return new RateLimitRule(name, settings, new RequestKey(settings.Key, options.TrustedProxies), store);
    }
}
