using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Shoal.Hosting;

/// <summary>The daemon's log: one line per event on stderr (which <c>up -d</c> sends to <c>.shoal/shoal.log</c>), framework chatter at warnings only.</summary>
internal static class DaemonLogging
{
    /// <summary>Configures <paramref name="logging"/> the daemon's way; the gateway and the local agent log the same way.</summary>
    public static void Configure(ILoggingBuilder logging) =>
        logging
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Error)
            .AddFilter("System.Net.Http", LogLevel.Warning);
}
