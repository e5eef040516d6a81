namespace Shoal.Configuration;

/// <summary>A configuration file that cannot be used; <see cref="Errors"/> lists every problem found.</summary>
public sealed class ConfigFileException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public ConfigFileException(IReadOnlyList<ConfigError> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Creates the exception for a file that could not be read at all.</summary>
    public ConfigFileException(string message)
        : base(message) => Errors = [];

    /// <summary>Creates an empty exception (for serializers).</summary>
    public ConfigFileException()
        : this("The configuration file is invalid.")
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public ConfigFileException(string message, Exception innerException)
        : base(message, innerException) => Errors = [];

    /// <summary>Every problem, in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Describe(IReadOnlyList<ConfigError> errors) =>
        errors.Count == 1
            ? errors[0].ToString()
            : $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
