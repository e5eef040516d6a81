namespace Shoal.Functions.Pool;

/// <summary>Every instance is busy and the wait queue is full, or the wait ran past its deadline.</summary>
public sealed class FunctionThrottledException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FunctionThrottledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FunctionThrottledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public FunctionThrottledException()
    {
    }
}
