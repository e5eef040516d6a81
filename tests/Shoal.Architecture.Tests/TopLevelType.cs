namespace Shoal.Architecture.Tests;

/// <summary>A type declared at the top level of a file: its name and keyword (<c>class</c>, <c>record</c>, …).</summary>
internal sealed record TopLevelType(string Name, string Kind)
{
    /// <summary>True for a record (class or struct): the kind that may share its main type's file.</summary>
    public bool IsRecord => Kind.StartsWith("record", StringComparison.Ordinal);
}
