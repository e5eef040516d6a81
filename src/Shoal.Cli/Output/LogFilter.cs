using System.Text.RegularExpressions;

namespace Shoal.Cli.Output;

/// <summary>What <c>shoal logs</c> keeps and how it shows it.</summary>
/// <param name="Since">Only lines written at or after this time.</param>
/// <param name="Grep">Only lines matching this.</param>
/// <param name="Timestamps">Show each line's time (UTC, to the second's precision of the daemon's marks).</param>
internal sealed record LogFilter(DateTimeOffset? Since = null, Regex? Grep = null, bool Timestamps = false)
{
    /// <summary>Nothing filtered, no times.</summary>
    public static LogFilter None { get; } = new();

    /// <summary>True when lines need their times.</summary>
    public bool NeedsTimes => Since is not null || Timestamps;
}
