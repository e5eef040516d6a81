namespace Shoal.Architecture.Tests;

/// <summary>The project references under <c>src/</c> against the table in <c>docs/architecture.md</c>.</summary>
public sealed class DependencyRulesTests
{
    private const string AspNetCore = "Microsoft.AspNetCore.App";
    private static readonly DependencyTable s_table = DependencyTable.Load();
    private static readonly IReadOnlyList<ProjectFile> s_projects = ProjectFile.All();

    [Fact]
    public void EveryProject_IsInTheTable()
    {
        var missing = s_projects.Where(p => !s_table.Rules.ContainsKey(p.Name)).Select(p => $"{p.Path}: not in the dependency table of docs/architecture.md").ToList();
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [Fact]
    public void EveryProjectReference_IsAllowedByTheTable()
    {
        var violations = (
            from project in s_projects
            where s_table.Rules.ContainsKey(project.Name)
            from reference in project.ProjectReferences
            where !s_table.Rules[project.Name].MayReference.Contains(reference)
            select $"{project.Name} references {reference}, which docs/architecture.md does not allow ({project.Path})").ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void AspNetCore_OnlyWhereTheTableAllowsIt()
    {
        var violations = s_projects
            .Where(p => s_table.Rules.TryGetValue(p.Name, out var rule) && !rule.AspNetCore && p.FrameworkReferences.Contains(AspNetCore))
            .Select(p => $"{p.Name} has a FrameworkReference to {AspNetCore}, which docs/architecture.md does not allow ({p.Path})")
            .ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void Core_ReferencesNothingOfShoals_AndNotAspNetCore()
    {
        var core = s_projects.Single(p => p.Name == "Shoal.Core");
        Assert.True(core.ProjectReferences.Count == 0, $"Shoal.Core references {string.Join(", ", core.ProjectReferences)}");
        Assert.False(core.FrameworkReferences.Contains(AspNetCore), $"Shoal.Core has a FrameworkReference to {AspNetCore}");
    }

    [Fact]
    public void Bench_ReferencesOnlyCore()
    {
        var bench = s_projects.Single(p => p.Name == "Shoal.Bench");
        Assert.True(bench.ProjectReferences.All(r => r == "Shoal.Core"), $"Shoal.Bench references {string.Join(", ", bench.ProjectReferences)}; only Shoal.Core is allowed");
        Assert.False(bench.FrameworkReferences.Contains(AspNetCore), $"Shoal.Bench has a FrameworkReference to {AspNetCore}");
    }

    [Fact]
    public void TheTable_NamesOnlyProjectsThatExist()
    {
        // A rule for a project that is gone (or misspelt) would silently allow nothing.
        var names = s_projects.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = s_table.Rules.Values
            .SelectMany(r => r.MayReference.Prepend(r.Project))
            .Where(n => !names.Contains(n))
            .Distinct()
            .Select(n => $"docs/architecture.md names {n}, which has no src/{n}/{n}.csproj")
            .ToList();
        Assert.True(unknown.Count == 0, string.Join('\n', unknown));
    }
}
