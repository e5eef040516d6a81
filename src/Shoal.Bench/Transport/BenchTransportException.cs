namespace Shoal.Bench.Transport;

/// <summary>A request failed in transport; <see cref="Kind"/> says how.</summary>
public sealed class BenchTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BenchTransportException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>Creates an exception of kind <see cref="ErrorKind.Other"/>.</summary>
    public BenchTransportException()
        : this(ErrorKind.Other, "transport error")
    {
    }

    /// <summary>Creates an exception of kind <see cref="ErrorKind.Other"/>.</summary>
    public BenchTransportException(string message)
        : this(ErrorKind.Other, message)
    {
    }

    /// <summary>Creates an exception of kind <see cref="ErrorKind.Other"/>.</summary>
    public BenchTransportException(string message, Exception inner)
        : this(ErrorKind.Other, message, inner)
    {
    }

    /// <summary>How the request failed.</summary>
    public ErrorKind Kind { get; }
}
