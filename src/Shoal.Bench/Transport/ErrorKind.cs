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
