namespace Shoal.Orchestration.State;

/// <summary>A stack's state file exists but cannot be read or understood.</summary>
public sealed class CorruptStateException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message reads "PATH REASON".</summary>
    public CorruptStateException(string path, string reason, Exception? innerException = null)
        : base($"{path} {reason}", innerException)
    {
        Path = path;
    }

    /// <summary>Creates an empty exception.</summary>
    public CorruptStateException()
    {
        Path = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    public CorruptStateException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public CorruptStateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>The state file.</summary>
    public string Path { get; }
}
