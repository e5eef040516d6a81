using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Model;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// A service's limits: its own and those of its route patterns (exact ones first, then the longest prefix). A request
/// under a limit is counted once; admitted, it carries <c>RateLimit-Policy</c> and <c>RateLimit</c>; refused, it is a
/// 429 problem with <c>Retry-After</c>. While a Redis store cannot answer, a limit fails open (admitted, no headers) or
/// closed (503) as configured.
/// </summary>
internal sealed class ServiceRateLimiter(RateLimitRule? service, (RoutePattern Pattern, RateLimitRule Rule)[] routes, GatewayMetrics metrics)
{
    /// <summary>A service without limits.</summary>
    public static ServiceRateLimiter None { get; } = new(null, [], GatewayMetrics.Disabled);

    public bool IsEmpty => service is null && routes.Length == 0;

    public RateLimitRule? RuleFor(string path)
    {
        foreach (var (pattern, rule) in routes)
        {
            if (pattern.Matches(path))
            {
                return rule;
            }
        }

        return service;
    }

    /// <summary>Counts the request; false when it was answered here (429 or 503) and must go no further.</summary>
    public async ValueTask<bool> AdmitAsync(HttpContext context, ClusterState cluster)
    {
        if (RuleFor(context.Request.Path.Value ?? "/") is not { } rule)
        {
            return true;
        }

        var decision = await rule.Store.AcquireAsync(rule.Key.Of(context)).ConfigureAwait(false);
        var headers = context.Response.Headers;
        if (decision is not { } d)
        {
            if (rule.Settings.OnStoreFailure == StoreFailureMode.Open)
            {
                return true;
            }

            metrics.OnRateLimited(cluster, "store_unavailable");
            headers.RetryAfter = "1";
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Rate limit unavailable", $"The rate limit '{rule.Name}' keeps its counts in Redis, which cannot be reached, and is set to refuse requests until it is back (on_store_failure: closed).").ConfigureAwait(false);
            return false;
        }

        headers[RateLimitHeaders.Policy] = rule.Policy;
        headers[RateLimitHeaders.RateLimit] = RateLimitHeaders.RateLimitOf(rule.QuotedName, d);
        if (d.Admitted)
        {
            return true;
        }

        metrics.OnRateLimited(cluster, "limit");
        var retryAfter = RateLimitHeaders.RetryAfterSeconds(d);
        headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests", $"The rate limit '{rule.Name}' admits {rule.Settings.Limit} requests per {Shoal.Text.Durations.Format(rule.Settings.Window)}; try again in {retryAfter} s.").ConfigureAwait(false);
        return false;
    }
}
