using System.Text.RegularExpressions;
using Shoal.Testing;

namespace Shoal.Architecture.Tests;

/// <summary>
/// The allowed-dependency table of <c>docs/architecture.md</c> (between the <c>dependency-table</c> markers): the
/// document is the single source, so the picture a newcomer reads is the rule the build enforces.
/// </summary>
internal sealed partial class DependencyTable
{
    private DependencyTable(IReadOnlyDictionary<string, DependencyRule> rules) => Rules = rules;

    /// <summary>The rule of each project named in the table.</summary>
    public IReadOnlyDictionary<string, DependencyRule> Rules { get; }

    /// <summary>Where the table is read from.</summary>
    public static string DocumentPath => Path.Combine(RepoPaths.Root, "docs", "architecture.md");

    /// <summary>Reads the table from the architecture document.</summary>
    public static DependencyTable Load()
    {
        var lines = File.ReadAllLines(DocumentPath);
        var start = Array.FindIndex(lines, l => l.StartsWith("<!-- dependency-table", StringComparison.Ordinal));
        var end = Array.FindIndex(lines, l => l.StartsWith("<!-- /dependency-table", StringComparison.Ordinal));
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"{DocumentPath}: no <!-- dependency-table --> … <!-- /dependency-table --> block");
        }

        var rules = new Dictionary<string, DependencyRule>(StringComparer.Ordinal);
        foreach (var line in lines[(start + 1)..end])
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length != 3 || cells[0] == "Project" || SeparatorRow().IsMatch(line))
            {
                continue;
            }

            var allowed = cells[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            rules[cells[0]] = new DependencyRule(cells[0], allowed, cells[2] == "yes");
        }

        return new DependencyTable(rules);
    }

    [GeneratedRegex(@"^\|[-| ]+\|$")]
    private static partial Regex SeparatorRow();
}
