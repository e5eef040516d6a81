namespace Shoal.Gateway.RateLimiting;

/// <summary>A route pattern of a per-route limit, read as <c>routes:</c> reads it: <c>/api/**</c> is a prefix, a pattern without <c>*</c> exact.</summary>
internal readonly record struct RoutePattern(string Path, bool Exact)
{
    public static RoutePattern Parse(string pattern)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        return star < 0 ? new RoutePattern(pattern, true) : new RoutePattern(pattern[..star].TrimEnd('/') + "/", false);
    }

    public bool Matches(string path) => Exact
        ? string.Equals(path, Path, StringComparison.OrdinalIgnoreCase)
        : path.StartsWith(Path, StringComparison.OrdinalIgnoreCase) || string.Equals(path, Path[..^1], StringComparison.OrdinalIgnoreCase);
}
