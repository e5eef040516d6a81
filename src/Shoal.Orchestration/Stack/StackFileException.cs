namespace Shoal.Orchestration.Stack;

/// <summary>A stack file that cannot be used; <see cref="Errors"/> lists every problem found.</summary>
public sealed class StackFileException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public StackFileException(IReadOnlyList<StackFileError> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Creates the exception for a file that could not be read at all.</summary>
    public StackFileException(string message)
        : base(message) => Errors = [];

    /// <summary>Creates an empty exception (for serializers).</summary>
    public StackFileException()
        : this("The stack file is invalid.")
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public StackFileException(string message, Exception innerException)
        : base(message, innerException) => Errors = [];

    /// <summary>Every problem, in file order.</summary>
    public IReadOnlyList<StackFileError> Errors { get; }

    private static string Describe(IReadOnlyList<StackFileError> errors) =>
        errors.Count == 1
            ? errors[0].ToString()
            : $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
