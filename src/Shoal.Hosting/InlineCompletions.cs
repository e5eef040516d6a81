using Shoal.Processes;

namespace Shoal.Hosting;

/// <summary>
/// Socket continuations run on the epoll thread instead of hopping to the thread pool: on two shared cores that saves
/// context switches per request for the load generator and the gateway.
/// </summary>
public static class InlineCompletions
{
    /// <summary>
    /// Turns them on for this process. The runtime reads the setting once, at the first socket operation, so call this
    /// before any; the process runtime keeps it from the replicas the daemon starts.
    /// </summary>
    public static void Enable() => Environment.SetEnvironmentVariable(HostProcessRuntime.InlineCompletionsVariable, "1");
}
