namespace Shoal.Architecture.Tests;

/// <summary>Files a newcomer can read: short, and one type each, found by its name.</summary>
public sealed class SourceFileRulesTests
{
    private const int MaxLines = 400;

    /// <summary>
    /// Files allowed to hold several unrelated top-level types, each with its reason. Keep it short: a new entry needs
    /// a reason a reviewer accepts, not convenience.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> s_severalTypes = new Dictionary<string, string>(StringComparer.Ordinal);

    private static readonly IReadOnlyList<SourceFile> s_files = SourceFile.All();

    [Fact]
    public void NoSourceFile_IsOver400Lines()
    {
        var tooLong = s_files.Where(f => f.Lines > MaxLines).Select(f => $"{f.Path}: {f.Lines} lines (at most {MaxLines}; split it with partials by concern)").ToList();
        Assert.True(tooLong.Count == 0, string.Join('\n', tooLong));
    }

    [Fact]
    public void EachFile_HoldsOneTopLevelType_NamedAfterIt()
    {
        // Small records that belong together may share the file of the type they belong to (named after it).
        var violations = new List<string>();
        foreach (var file in s_files.Where(f => !s_severalTypes.ContainsKey(f.Path)))
        {
            if (file.Types.Count == 0)
            {
                continue;
            }

            var main = file.Types.Where(t => t.Name == file.ExpectedType).ToList();
            if (main.Count == 0)
            {
                violations.Add($"{file.Path}: declares {string.Join(", ", file.Types.Select(t => t.Name))} but none named {file.ExpectedType}");
                continue;
            }

            var others = file.Types.Where(t => t.Name != file.ExpectedType && !t.IsRecord).Select(t => $"{t.Kind} {t.Name}").ToList();
            if (others.Count > 0)
            {
                violations.Add($"{file.Path}: besides {file.ExpectedType} declares {string.Join(", ", others)} (one top-level type per file; only small records may share)");
            }
        }

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void TheAllowlist_NamesOnlyFilesThatExist()
    {
        var gone = s_severalTypes.Keys.Where(p => s_files.All(f => f.Path != p)).ToList();
        Assert.True(gone.Count == 0, "allowlisted files that no longer exist: " + string.Join(", ", gone));
    }
}
