namespace Shoal.Bench.Transport;

/// <summary>Why a request failed, as the report breaks errors down.</summary>
public enum ErrorKind
{
    /// <summary>The response had a status of 400 or more.</summary>
    Status,

    /// <summary>No complete response within the timeout.</summary>
    Timeout,

    /// <summary>Nothing listened: the connect was refused.</summary>
    ConnectRefused,

    /// <summary>The connection was reset or closed before the response was complete.</summary>
    Reset,

    /// <summary>Anything else (malformed response, DNS, TLS).</summary>
    Other,
}

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
