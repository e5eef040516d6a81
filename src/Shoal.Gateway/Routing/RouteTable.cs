using System.Collections.Frozen;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Routing;

/// <summary>
/// Maps a request path to a service: exact routes first, then the longest matching prefix; and a service's name to
/// the service, for Host routing (<see cref="HostRouting"/>): every service with a route, <c>localhost</c> excepted.
/// </summary>
internal sealed class RouteTable
{
    private readonly Entry[] _entries;
    private readonly FrozenDictionary<string, ClusterState>.AlternateLookup<ReadOnlySpan<char>> _hosts;

    public RouteTable(IEnumerable<RouteDefinition> routes, Func<string, ClusterState> clusterFor)
    {
        _entries = routes
            .Select(r => Parse(r, clusterFor(r.Service)))
            .OrderByDescending(e => e.Exact)
            .ThenByDescending(e => e.Path.Length)
            .ToArray();

        // "localhost" is how clients name the gateway itself: a service of that name is reached by its paths only.
        _hosts = _entries
            .Select(e => e.Cluster)
            .DistinctBy(c => c.Service, StringComparer.Ordinal)
            .Where(c => !string.Equals(c.Service, "localhost", StringComparison.Ordinal))
            .ToFrozenDictionary(c => c.Service, StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The service named <paramref name="name"/> (any case) when it has routes, else null.</summary>
    public ClusterState? MatchHost(ReadOnlySpan<char> name) => _hosts.TryGetValue(name, out var cluster) ? cluster : null;

    public ClusterState? Match(string path)
    {
        foreach (var entry in _entries)
        {
            if (entry.Exact)
            {
                if (string.Equals(path, entry.Path, StringComparison.OrdinalIgnoreCase))
                {
                    return entry.Cluster;
                }
            }
            else if (path.StartsWith(entry.Path, StringComparison.OrdinalIgnoreCase)
                || (entry.Path.Length > 1 && path.Length == entry.Path.Length - 1 && entry.Path.StartsWith(path, StringComparison.OrdinalIgnoreCase)))
            {
                // "/api/**" matches "/api/..." and "/api" itself.
                return entry.Cluster;
            }
        }

        return null;
    }

    private static Entry Parse(RouteDefinition route, ClusterState cluster)
    {
        var pattern = route.Pattern;
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return new Entry(pattern, Exact: true, cluster);
        }

        var prefix = pattern[..star];
        return new Entry(prefix.EndsWith('/') ? prefix : prefix + "/", Exact: false, cluster);
    }

    private readonly record struct Entry(string Path, bool Exact, ClusterState Cluster);
}
