namespace Shoal.Testing.Fuzzing;

/// <summary>A fuzz case failed; the message holds the case and its input.</summary>
public sealed class FuzzFailureException : Exception
{
    public FuzzFailureException()
    {
    }

    public FuzzFailureException(string message)
        : base(message)
    {
    }

    public FuzzFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
