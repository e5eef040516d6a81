namespace Shoal.Orchestration.Stack.Compose;

/// <summary>Which files are Compose files, and the override file Compose reads beside one.</summary>
public static class ComposeFiles
{
    /// <summary>The names Compose looks for, in its order; Shoal looks for them after <c>shoal.yml</c>.</summary>
    public static readonly string[] DefaultNames = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

    /// <summary>True for <c>compose*.yml</c> and <c>docker-compose*.yml</c> (also <c>.yaml</c>): files read with Compose's vocabulary.</summary>
    public static bool IsCompose(string path)
    {
        var name = Path.GetFileName(path);
        return (name.StartsWith("compose", StringComparison.OrdinalIgnoreCase) || name.StartsWith("docker-compose", StringComparison.OrdinalIgnoreCase))
            && (name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The override file Compose merges over <paramref name="path"/> when no <c>-f</c> is given
    /// (<c>compose.override.yaml</c> or <c>.yml</c> beside <c>compose.yaml</c>), or null.
    /// </summary>
    public static string? OverrideFor(string path)
    {
        var name = Path.GetFileName(path);
        var stem = name.StartsWith("docker-compose", StringComparison.OrdinalIgnoreCase) ? "docker-compose" : "compose";
        var directory = Path.GetDirectoryName(path) ?? string.Empty;
        return new[] { ".override.yaml", ".override.yml" }.Select(e => Path.Combine(directory, stem + e)).FirstOrDefault(File.Exists);
    }
}
