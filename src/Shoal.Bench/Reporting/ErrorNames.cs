using Shoal.Bench.Transport;

namespace Shoal.Bench.Reporting;

/// <summary>How reports and JSON name error kinds.</summary>
public static class ErrorNames
{
    /// <summary>The snake_case name of a kind (<c>connect_refused</c>).</summary>
    public static string Of(ErrorKind kind) => kind switch
    {
        ErrorKind.Status => "status",
        ErrorKind.Timeout => "timeout",
        ErrorKind.ConnectRefused => "connect_refused",
        ErrorKind.Reset => "reset",
        _ => "other",
    };
}
