namespace Shoal.Hosting.Dashboard;

/// <summary>Recognises path traversal in a raw request target, in any of the encodings a browser or a tool may send.</summary>
internal static class DashboardPaths
{
    /// <summary>True when a segment is <c>.</c> or <c>..</c> (plain or percent-encoded) or the path hides a slash or backslash in an escape.</summary>
    public static bool IsTraversal(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        if (rawPath.Contains('\\', StringComparison.Ordinal)
            || rawPath.Contains("%2f", StringComparison.OrdinalIgnoreCase)
            || rawPath.Contains("%5c", StringComparison.OrdinalIgnoreCase)
            || rawPath.Contains("%25", StringComparison.Ordinal))
        {
            return true;
        }

        return rawPath.Split('/').Any(IsDotSegment);
    }

    /// <summary>True when the first segment of <paramref name="rawPath"/> starts with a dot, plain or encoded (<c>/..%2f</c>, <c>/%2e%2e/</c>).</summary>
    public static bool StartsWithDotSegment(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        var first = rawPath.TrimStart('/');
        return first.StartsWith('.') || first.StartsWith("%2e", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsDotSegment(string segment)
    {
        var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
        return decoded is "." or "..";
    }
}
