namespace Shoal.Configuration;

/// <summary>One problem in a configuration file (stack, bench, functions, routing), located by line, column and field path.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">The field path, e.g. <c>services.app.replicas</c>.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record ConfigError(string File, int Line, int Column, string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.IsNullOrEmpty(Field) ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Field}: {Message}";
}
