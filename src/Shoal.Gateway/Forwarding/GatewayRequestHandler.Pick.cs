using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Forwarding;

/// <summary>The handler's choice of an instance: the split's version, the policy's pick, and what may still refuse it.</summary>
internal sealed partial class GatewayRequestHandler
{
    /// <summary>The strategy's choice if its breaker, the per-instance limit and slow start admit it; else the best of the rest.</summary>
    private DestinationState? Pick(HttpContext context, ClusterState cluster, ClusterConfig config, List<DestinationState>? exclude)
    {
        IReadOnlyList<DestinationState> candidates = cluster.Available;
        if (cluster.Split is { } split)
        {
            // The split picks the version; the strategy then picks among its instances. With none of that version
            // available, the other version serves rather than nobody.
            candidates = OfVersion(cluster.Available, VersionFor(context, config, cluster, split));
        }

        if (exclude is { Count: > 0 })
        {
            candidates = Except(candidates, exclude);
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var limit = config.Resilience.Bulkhead.MaxConcurrentPerInstance;
        var panic = cluster.InPanic;
        var chosen = config.Policy.PickDestination(context, cluster, candidates);
        if (chosen is not null && !SlowStartDefers(chosen, config, candidates.Count) && Admit(chosen, limit, panic))
        {
            return chosen;
        }

        // Rare: the choice is at its limit, its breaker is half-open with a probe out, or slow start deferred it.
        var others = new List<DestinationState>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (!ReferenceEquals(candidate, chosen) && (limit == 0 || candidate.ConcurrentRequestCount < limit))
            {
                others.Add(candidate);
            }
        }

        while (others.Count > 0)
        {
            var next = config.Policy.PickDestination(context, cluster, others) ?? others[0];
            if (Admit(next, limit, panic))
            {
                return next;
            }

            others.Remove(next);
        }

        // Slow start only defers while others can take the request.
        return chosen is not null && Admit(chosen, limit, panic) ? chosen : null;
    }

    /// <summary>
    /// The version the split sends the request to. The policy says what ties the request to earlier ones: an instance a
    /// session is pinned to keeps it on that instance's version (while it is one of the split's), a key makes the version
    /// a function of the key.
    /// </summary>
    private static string VersionFor(HttpContext context, ClusterConfig config, ClusterState cluster, TrafficSplit split)
    {
        var affinity = config.Policy.GetAffinity(context, cluster);
        if (affinity.Pinned?.Instance.Version is { } pinned && (pinned == split.Stable || pinned == split.Canary))
        {
            return pinned;
        }

        return split.Choose(context.Request, affinity.Key);
    }

    /// <summary>The instances of <paramref name="version"/>; all of them when none is of that version.</summary>
    private static DestinationState[] OfVersion(DestinationState[] available, string version)
    {
        var count = 0;
        foreach (var destination in available)
        {
            count += destination.Instance.Version == version ? 1 : 0;
        }

        if (count == 0 || count == available.Length)
        {
            return available;
        }

        var ofVersion = new DestinationState[count];
        var i = 0;
        foreach (var destination in available)
        {
            if (destination.Instance.Version == version)
            {
                ofVersion[i++] = destination;
            }
        }

        return ofVersion;
    }

    /// <summary>The candidates not in <paramref name="exclude"/> (instances a retry already tried); all of them when none is left.</summary>
    private static IReadOnlyList<DestinationState> Except(IReadOnlyList<DestinationState> candidates, List<DestinationState> exclude)
    {
        var rest = new List<DestinationState>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (!exclude.Contains(candidate))
            {
                rest.Add(candidate);
            }
        }

        return rest.Count > 0 ? rest : candidates;
    }

    private static bool Admit(DestinationState destination, int limit, bool panic)
    {
        if (!panic)
        {
            return destination.TryBeginRequest(limit);
        }

        // In panic mode breakers are ignored: every routable instance is tried.
        destination.BeginRequest();
        return true;
    }

    private bool SlowStartDefers(DestinationState destination, ClusterConfig config, int candidates)
    {
        var window = config.Resilience.SlowStart;
        if (window <= TimeSpan.Zero || candidates < 2)
        {
            return false;
        }

        var age = time.GetElapsedTime(destination.ReadySince);
        if (age >= window)
        {
            return false;
        }

        // A new instance's share ramps linearly from 10 % to 100 % over the window, as Envoy's slow start.
        var share = 0.1 + (0.9 * age / window);
        return _random.NextDouble() > share;
    }
}
