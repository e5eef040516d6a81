using Shoal.Gateway.Configuration;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Routing;

/// <summary>Maps a request path to a service: exact routes first, then the longest matching prefix.</summary>
internal sealed class RouteTable
{
    private readonly Entry[] _entries;

    public RouteTable(IEnumerable<RouteDefinition> routes, Func<string, ClusterState> clusterFor)
    {
        _entries = routes
            .Select(r => Parse(r, clusterFor(r.Service)))
            .OrderByDescending(e => e.Exact)
            .ThenByDescending(e => e.Path.Length)
            .ToArray();
    }

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
