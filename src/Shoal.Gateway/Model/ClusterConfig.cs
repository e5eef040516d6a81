using System.Net;
using System.Threading.RateLimiting;
using Polly;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Resilience;
using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Model;

/// <summary>Everything that follows from a service's settings, built once when they change, never per request.</summary>
internal sealed class ClusterConfig
{
    public ClusterConfig(ServiceRoutingOptions options, ILoadBalancingPolicy policy, ResiliencePipeline<AttemptOutcome> retries)
    {
        Options = options;
        Policy = policy;
        Retries = retries;
        RequestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = options.Resilience.Timeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var bulkhead = options.Resilience.Bulkhead;
        Bulkhead = bulkhead.MaxConcurrent > 0
            ? new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = bulkhead.MaxConcurrent, QueueLimit = bulkhead.QueueSize, QueueProcessingOrder = QueueProcessingOrder.OldestFirst })
            : null;
    }

    public ServiceRoutingOptions Options { get; }

    public ILoadBalancingPolicy Policy { get; }

    public ForwarderRequestConfig RequestConfig { get; }

    /// <summary>The Polly pipeline that schedules attempts after the first (backoff, jitter, budget).</summary>
    public ResiliencePipeline<AttemptOutcome> Retries { get; }

    /// <summary>The service-wide concurrency limit with its bounded queue, or null.</summary>
    public ConcurrencyLimiter? Bulkhead { get; private set; }

    public ResilienceSettings Resilience => Options.Resilience;

    /// <summary>The service's rate limits, built on first use (<see cref="RateLimiters"/>); null before.</summary>
    public ServiceRateLimiter? RateLimiter => _rateLimiter;

    /// <summary>Keeps the first limiter built for these settings (two requests may race to build one) and returns it.</summary>
    public ServiceRateLimiter SetRateLimiter(ServiceRateLimiter limiter) =>
        Interlocked.CompareExchange(ref _rateLimiter, limiter, null) ?? limiter;

    /// <summary>
    /// Takes over the state of the settings this replaces where its own are the same: the rate limits' counts and the
    /// bulkhead's permits. A strategy change must not reset a minute's count or hand out a second set of slots.
    /// </summary>
    public void KeepStateOf(ClusterConfig previous)
    {
        if (Equals(Options.RateLimit, previous.Options.RateLimit))
        {
            _rateLimiter = previous._rateLimiter;
        }

        if (Options.Resilience.Bulkhead == previous.Options.Resilience.Bulkhead && previous.Bulkhead is not null)
        {
            Bulkhead?.Dispose();
            Bulkhead = previous.Bulkhead;
        }
    }

    private ServiceRateLimiter? _rateLimiter;
}
