using Shoal.Processes;
using Shoal.Processes.Docker;

namespace Shoal.Hosting;

/// <summary>The process runtimes a daemon offers its services and functions: the built-in ones and those of other assemblies (Docker).</summary>
internal static class DaemonRuntimes
{
    /// <summary>The runtimes for processes of <paramref name="scope"/>, generating what they need under <paramref name="stateDirectory"/>.</summary>
    /// <remarks>The Docker runtime connects on its first start, so a daemon with no engine fails only the containers it is asked for, with a message saying what to start.</remarks>
    public static IProcessRuntimeProvider Create(TimeProvider timeProvider, ProcessScope? scope, string stateDirectory) =>
        new ProcessRuntimeProvider(timeProvider, scope, stateDirectory, new Dictionary<RuntimeKind, Func<IProcessRuntime>>
        {
            [RuntimeKind.Docker] = () => new DockerProcessRuntime(timeProvider, scope),
        });
}
