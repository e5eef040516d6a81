namespace Shoal.Processes;

/// <summary>A process could not be started.</summary>
public sealed class ProcessStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProcessStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ProcessStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public ProcessStartException()
    {
    }
}
