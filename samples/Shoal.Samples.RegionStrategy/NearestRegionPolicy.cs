using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;

namespace Shoal.Samples.RegionStrategy;

/// <summary>
/// A custom strategy: send a request to an instance whose <c>metadata.region</c> matches the request's region header
/// (<c>x-region</c>, or the <c>header</c> setting), round robin among them; with no match, round robin over all.
/// </summary>
/// <example>
/// <code>
/// gateway:
///   plugins: [samples/Shoal.Samples.RegionStrategy/Shoal.Samples.RegionStrategy.csproj]
/// services:
///   app:
///     load_balancing: { strategy: nearest-region, settings: { header: x-region } }
///     per_replica: [{ metadata: { region: eu } }, { metadata: { region: us } }]
/// </code>
/// </example>
public sealed class NearestRegionPolicy : ILoadBalancingPolicy
{
    // One rotation per region (and one for requests without a match), so interleaved regions each rotate fairly.
    private readonly ConcurrentDictionary<string, StrongBox<int>> _turns = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public string Name => "nearest-region";

    /// <inheritdoc />
    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(available);
        var header = cluster.LoadBalancing.Settings.TryGetValue("header", out var name) ? name : "x-region";
        var region = context.Request.Headers[header].ToString();
        if (region.Length > 0)
        {
            var matches = 0;
            foreach (var destination in available)
            {
                matches += InRegion(destination, region) ? 1 : 0;
            }

            if (matches > 0)
            {
                var pick = (int)(Next(region) % (uint)matches);
                foreach (var destination in available)
                {
                    if (InRegion(destination, region) && pick-- == 0)
                    {
                        return destination;
                    }
                }
            }
        }

        return available[(int)(Next(string.Empty) % (uint)available.Count)];
    }

    private uint Next(string region) => (uint)Interlocked.Increment(ref _turns.GetOrAdd(region, static _ => new StrongBox<int>()).Value);

    private static bool InRegion(DestinationState destination, string region) =>
        destination.Instance.Metadata.TryGetValue("region", out var value) && string.Equals(value, region, StringComparison.OrdinalIgnoreCase);
}
