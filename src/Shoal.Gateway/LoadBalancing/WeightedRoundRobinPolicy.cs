using Microsoft.AspNetCore.Http;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// Smooth weighted round robin (nginx's): instances get requests in proportion to their weights, interleaved rather than
/// in bursts (5/3/2 gives a b a c a b a c b a, never a long run). The sequence for a set of weights is computed once when
/// the instances change; each request then only advances a counter.
/// </summary>
internal sealed class WeightedRoundRobinPolicy : ILoadBalancingPolicy
{
    /// <summary>Longest precomputed sequence; larger weight sums are scaled down to fit.</summary>
    internal const int MaxSequence = 10_000;

    private readonly PerCluster<State> _states = new();

    public string Name => Strategies.Weighted;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var state = _states.For(cluster);
        var sequence = state.Sequence.Get(available, cluster, static (d, _) => Build(d));
        if (sequence.Length == 0)
        {
            return null;
        }

        return available[sequence[(int)((uint)state.Counter.Next() % (uint)sequence.Length)]];
    }

    /// <summary>The smooth weighted round robin order of <paramref name="destinations"/>, as indexes.</summary>
    internal static int[] Build(IReadOnlyList<DestinationState> destinations) =>
        Sequence(destinations.Select(d => Math.Max(0, d.Instance.Weight)).ToArray());

    internal static int[] Sequence(int[] weights)
    {
        long total = weights.Sum(w => (long)w);
        if (total == 0)
        {
            return [];
        }

        if (total > MaxSequence)
        {
            var scale = (double)MaxSequence / total;
            weights = weights.Select(w => w == 0 ? 0 : Math.Max(1, (int)Math.Round(w * scale))).ToArray();
            total = weights.Sum(w => (long)w);
        }

        var current = new long[weights.Length];
        var sequence = new int[total];
        for (var step = 0; step < total; step++)
        {
            var best = -1;
            for (var i = 0; i < weights.Length; i++)
            {
                current[i] += weights[i];
                if (weights[i] > 0 && (best < 0 || current[i] > current[best]))
                {
                    best = i;
                }
            }

            current[best] -= total;
            sequence[step] = best;
        }

        return sequence;
    }

    private sealed class State
    {
        public Counter Counter { get; } = new();

        public SnapshotCache<int[]> Sequence { get; } = new();
    }
}
