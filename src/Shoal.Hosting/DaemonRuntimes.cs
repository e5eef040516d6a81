using Shoal.Processes;

namespace Shoal.Hosting;

/// <summary>The process runtimes a daemon offers its services and functions: the built-in ones and those of other assemblies (Docker).</summary>
internal static class DaemonRuntimes
{
    /// <summary>The runtimes for processes of <paramref name="scope"/>, generating what they need under <paramref name="stateDirectory"/>.</summary>
    public static IProcessRuntimeProvider Create(TimeProvider timeProvider, ProcessScope? scope, string stateDirectory) =>
        new ProcessRuntimeProvider(timeProvider, scope, stateDirectory);
}
