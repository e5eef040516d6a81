using System.Text.RegularExpressions;
using Shoal.Testing;

namespace Shoal.Architecture.Tests;

/// <summary>A C# file under <c>src/</c>: its length and the types it declares at the top level.</summary>
internal sealed partial record SourceFile(string Path, int Lines, IReadOnlyList<TopLevelType> Types)
{
    /// <summary>The name a type in this file must have: the file name up to its first dot (<c>Type.Part.cs</c> for partials).</summary>
    public string ExpectedType => System.IO.Path.GetFileName(Path).Split('.')[0];

    /// <summary>Every hand-written <c>.cs</c> file under <c>src/</c> (not <c>obj/</c> or <c>bin/</c>).</summary>
    public static IReadOnlyList<SourceFile> All() =>
        Directory.GetFiles(System.IO.Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(p => System.IO.Path.GetRelativePath(RepoPaths.Root, p))
            .Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .ToList();

    private static SourceFile Read(string relative)
    {
        var lines = File.ReadAllLines(System.IO.Path.Combine(RepoPaths.Root, relative));
        var types = new List<TopLevelType>();
        var blockNamespace = lines.Any(l => BlockNamespace().IsMatch(l));
        foreach (var line in lines)
        {
            // File-scoped namespaces (the rule here, IDE0161) put top-level types at column 0; a block namespace
            // indents them by one level.
            var text = blockNamespace && line.StartsWith("    ", StringComparison.Ordinal) ? line[4..] : line;
            if (Declaration().Match(text) is { Success: true } m)
            {
                types.Add(new TopLevelType(m.Groups["name"].Value, m.Groups["kind"].Value));
            }
        }

        return new SourceFile(relative, lines.Length, types);
    }

    [GeneratedRegex(@"^namespace\s+[\w.]+\s*$")]
    private static partial Regex BlockNamespace();

    [GeneratedRegex(@"^(?:\[[^\]]*\]\s*)*(?:(?:public|internal|file|sealed|static|abstract|partial|readonly|ref|unsafe)\s+)*(?<kind>class|record\s+struct|record\s+class|record|struct|enum|interface|delegate\s+[\w<>?,\[\] ]+?)\s+(?<name>[A-Za-z_]\w*)")]
    private static partial Regex Declaration();
}
