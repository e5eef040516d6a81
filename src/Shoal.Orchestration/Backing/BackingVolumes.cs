namespace Shoal.Orchestration.Backing;

/// <summary>Named volumes: one directory each under <c>.shoal/volumes/</c>, kept across <c>down</c>/<c>up</c>, removed by <c>down --volumes</c>.</summary>
public static class BackingVolumes
{
    /// <summary>Where a stack's volumes are: <c>.shoal/volumes/</c> in <paramref name="stateDirectory"/>.</summary>
    public static string Root(string stateDirectory) => Path.Combine(stateDirectory, "volumes");

    /// <summary>Removes every volume of the stack whose state is in <paramref name="stateDirectory"/>; returns their names.</summary>
    /// <remarks>Nothing outside <c>.shoal/volumes/</c> is touched: a symbolic link in it is removed, never followed.</remarks>
    public static IReadOnlyList<string> Remove(string stateDirectory)
    {
        var root = Root(stateDirectory);
        if (!Directory.Exists(root) || new DirectoryInfo(root).LinkTarget is not null)
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry is DirectoryInfo { LinkTarget: null } directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }

            removed.Add(entry.Name);
        }

        return removed;
    }
}
