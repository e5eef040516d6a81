namespace Shoal.Processes;

/// <summary>The names of <see cref="RuntimeKind"/> as they are written in the stack files and reported by <c>ps</c>.</summary>
public static class RuntimeNames
{
    /// <summary>Every name, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> All => Names;

    private static readonly string[] Names = ["process", "sandbox", "oci", "docker"];

    /// <summary>The name of a kind.</summary>
    public static string Of(RuntimeKind kind) => All[(int)kind];

    /// <summary>Parses a name (case-sensitive, as YAML keys are).</summary>
    public static bool TryParse(string? name, out RuntimeKind kind)
    {
        var index = name is null ? -1 : Array.IndexOf(Names, name);
        kind = index < 0 ? RuntimeKind.Process : (RuntimeKind)index;
        return index >= 0;
    }
}
