namespace Shoal.Functions.Pool;

/// <summary>An instance could not be started.</summary>
public sealed class FunctionStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FunctionStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FunctionStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public FunctionStartException()
    {
    }
}
