namespace Shoal.Orchestration.Stack;

/// <summary>Where a field was written in the stack file, for a message about it once the stack is starting.</summary>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column.</param>
public sealed record FieldLocation(int Line, int Column)
{
    /// <summary>No location (a definition made in code).</summary>
    public static FieldLocation None { get; } = new(1, 1);
}
