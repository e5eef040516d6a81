using Microsoft.Extensions.Logging;

namespace Shoal.Delivery;

internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Information, "{Service}: {Action} of version {Version}: {Reason}")]
    public static partial void Finished(ILogger logger, string service, string action, string version, string reason);

    [LoggerMessage(5004, LogLevel.Error, "Saving the deployment of {Service} failed: {Reason}")]
    public static partial void SaveFailed(ILogger logger, string service, string reason);

    [LoggerMessage(5003, LogLevel.Error, "The deployment of {Service} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string service, string reason);
}
