using Shoal.Delivery;
using Shoal.Gateway.Model;

namespace Shoal.Hosting.Delivery;

/// <summary>A deployment's traffic split, in force on the gateway's cluster of the service.</summary>
internal sealed class GatewayTrafficSplit(Func<string, ClusterState?> clusters) : ITrafficSplit
{
    // The gateway's bucket bounds, read through its own quantile of a one-request window per bucket, so the two
    // never disagree on where a bucket ends.
    private static readonly Dictionary<int, double[]> s_bounds = [];

    private static double[] Bounds(int buckets)
    {
        lock (s_bounds)
        {
            if (!s_bounds.TryGetValue(buckets, out var bounds))
            {
                bounds = Enumerable.Range(0, buckets).Select(i =>
                {
                    var one = new long[buckets];
                    one[i] = 1;
                    return VersionStats.Quantile(new VersionWindow(1, 0, one), 1);
                }).ToArray();
                s_bounds[buckets] = bounds;
            }

            return bounds;
        }
    }

    public bool Routes(string service) => clusters(service) is not null;

    public void Set(string service, VersionSplit? split)
    {
        if (clusters(service) is { } cluster)
        {
            cluster.Split = split is null ? null : new TrafficSplit(split.Stable, split.Canary, split.Weight, split.Header, split.HeaderValue);
        }
    }

    public VersionOutcomes Outcomes(string service, string version)
    {
        if (clusters(service) is not { } cluster)
        {
            return VersionOutcomes.None;
        }

        var totals = cluster.Versions.Snapshot(version);
        var bounds = Bounds(totals.Latency.Length);
        return new VersionOutcomes(totals.Requests, totals.Errors, totals.Latency.Select((count, i) => new LatencyBucket(bounds[i], count)).ToArray());
    }

    public int RoutableReplicas(string service, string version) =>
        clusters(service)?.AllDestinations.Count(x => x.Instance.Version == version && x.Instance.IsRoutable) ?? 0;
}
