using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Shoal.Hosting;

/// <summary>
/// The daemon's log: one line per event on stderr (which <c>up -d</c> sends to <c>.shoal/shoal.log</c>), framework
/// chatter at warnings only, every line stamped with the full UTC time (RFC 3339, milliseconds). Text by default;
/// JSON lines (one object per event: Timestamp, EventId, LogLevel, Category, Message, State) with
/// <c>SHOAL_LOG_FORMAT=json</c> in the environment of <c>shoal up</c>.
/// </summary>
internal static class DaemonLogging
{
    /// <summary>The environment variable that picks the format: <c>text</c> (the default) or <c>json</c>.</summary>
    public const string FormatVariable = "SHOAL_LOG_FORMAT";

    /// <summary>RFC 3339 in UTC to the millisecond, so <c>shoal logs --since</c> and log shippers can read it back.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Configures <paramref name="logging"/> the daemon's way; the gateway and the local agent log the same way.</summary>
    public static void Configure(ILoggingBuilder logging) => Configure(logging, Environment.GetEnvironmentVariable(FormatVariable));

    /// <summary>Configures <paramref name="logging"/> with <paramref name="format"/> (<c>json</c>, else text); internal for tests.</summary>
    internal static void Configure(ILoggingBuilder logging, string? format)
    {
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = TimestampFormat;
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = TimestampFormat + " ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        logging
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Error)
            .AddFilter("System.Net.Http", LogLevel.Warning);
    }
}
