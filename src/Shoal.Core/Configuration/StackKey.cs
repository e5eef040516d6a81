namespace Shoal.Configuration;

/// <summary>A key a section reader owns, and where messages list it among the allowed keys.</summary>
/// <param name="Name">The key, e.g. <c>gateway</c>.</param>
/// <param name="After">The key it is listed after in "allowed here" messages; null to list it last.</param>
public sealed record StackKey(string Name, string? After = null)
{
    /// <summary>The keys of a mapping: <paramref name="own"/> in order, each added key after its anchor (or last).</summary>
    public static string[] Merge(IEnumerable<string> own, IEnumerable<StackKey> added)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(added);
        var keys = own.ToList();
        foreach (var key in added)
        {
            var anchor = key.After is null ? -1 : keys.IndexOf(key.After);
            keys.Insert(anchor < 0 ? keys.Count : anchor + 1, key.Name);
        }

        return [.. keys];
    }
}
