namespace Shoal.Architecture.Tests;

/// <summary>One row of the table: the projects <paramref name="Project"/> may reference, and whether it may use ASP.NET Core.</summary>
internal sealed record DependencyRule(string Project, IReadOnlySet<string> MayReference, bool AspNetCore);
