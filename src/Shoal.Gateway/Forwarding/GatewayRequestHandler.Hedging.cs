using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;
using Shoal.Gateway.Resilience;

namespace Shoal.Gateway.Forwarding;

/// <summary>The handler's part in hedging: each attempt's invoker and timings, and the instance a hedge goes to.</summary>
internal sealed partial class GatewayRequestHandler
{
    /// <summary>The invoker for one attempt at <paramref name="destination"/>, and the forwarder settings (per-attempt timeout) it runs under.</summary>
    private AttemptInvoker NewAttempt(HttpContext context, ClusterState cluster, ClusterConfig config, DestinationState destination, out Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig requestConfig)
    {
        var timings = cluster.TimingsFor(config);
        requestConfig = timings.RequestConfig;
        var hedgeDelay = timings.HedgeDelay is { } delay && Hedging.IsHedgeable(context) ? delay : (TimeSpan?)null;

        // A request that ends unanswered is a stall sign only once it outlived the service's usual answer.
        var signalAge = timings.P99 ?? config.Resilience.StallDetection.MinThreshold;
        return new AttemptInvoker(client.Invoker, time, this, health, context, cluster, config, destination, hedgeDelay, signalAge);
    }

    /// <inheritdoc />
    public DestinationState? PickHedgeTarget(HttpContext context, ClusterState cluster, ClusterConfig config, List<DestinationState> tried, out bool busy)
    {
        var version = cluster.Split is null ? null : tried[0].Instance.Version;
        var busiest = HedgeLoadLimit(tried);
        var candidates = new List<DestinationState>(cluster.Available.Length);
        busy = false;
        foreach (var candidate in cluster.Available)
        {
            // Under a split a hedge stays on the version the split chose, so the analysis compares like with like.
            if (tried.Contains(candidate) || (version is not null && candidate.Instance.Version != version))
            {
                continue;
            }

            if (candidate.ConcurrentRequestCount > busiest)
            {
                busy = true;
                continue;
            }

            candidates.Add(candidate);
        }

        var limit = config.Resilience.Bulkhead.MaxConcurrentPerInstance;
        while (candidates.Count > 0)
        {
            var next = config.Policy.PickDestination(context, cluster, candidates) ?? candidates[0];
            if (!candidates.Contains(next))
            {
                next = candidates[0];
            }

            if (next.TryBeginRequest(limit))
            {
                return next;
            }

            candidates.Remove(next);
        }

        return null;
    }

    /// <summary>
    /// The most requests an instance may have in flight to take a hedge: half of what the least busy instance already
    /// tried has. A hedge helps when the slowness is one instance's (a pause, a stall, a hot spot: its requests pile up
    /// while the others drain theirs); when every instance is as busy (a saturated host, a slow endpoint), the hedge would
    /// wait as long as the request it hedges and only add load, so none is sent. A lone slow request (1 in flight against
    /// 0) is hedged.
    /// </summary>
    internal static int HedgeLoadLimit(List<DestinationState> tried)
    {
        var least = int.MaxValue;
        foreach (var destination in tried)
        {
            least = Math.Min(least, destination.ConcurrentRequestCount);
        }

        return least / 2;
    }
}
