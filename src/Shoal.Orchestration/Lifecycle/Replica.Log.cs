using Microsoft.Extensions.Logging;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>The replica's log messages.</summary>
internal sealed partial class Replica
{
    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Information, "{InstanceId} started (pid {Pid}, port {Port})")]
        public static partial void Started(ILogger logger, string instanceId, int pid, int port);

        [LoggerMessage(1002, LogLevel.Warning, "{InstanceId} (pid {Pid}) exited with code {ExitCode}")]
        public static partial void Exited(ILogger logger, string instanceId, int pid, int exitCode);

        [LoggerMessage(1003, LogLevel.Error, "{InstanceId} given up: {Reason}")]
        public static partial void GaveUp(ILogger logger, string instanceId, string reason);

        [LoggerMessage(1004, LogLevel.Error, "{InstanceId} could not start: {Reason}")]
        public static partial void StartFailed(ILogger logger, string instanceId, string reason);

        [LoggerMessage(1005, LogLevel.Warning, "{InstanceId} is unhealthy: {Reason}")]
        public static partial void Unhealthy(ILogger logger, string instanceId, string reason);
    
        [LoggerMessage(1006, LogLevel.Warning, "{InstanceId} was killed at its memory limit ({Limit})")]
        public static partial void OomKilled(ILogger logger, string instanceId, string limit);
    }
}
