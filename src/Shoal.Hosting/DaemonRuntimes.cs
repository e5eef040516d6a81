using Shoal.Processes;
using Shoal.Processes.Docker;

namespace Shoal.Hosting;

/// <summary>The process runtimes a daemon offers its services and functions: the built-in ones and those of other assemblies (Docker).</summary>
internal static class DaemonRuntimes
{
    /// <summary>The runtimes for processes of <paramref name="scope"/>, generating what they need under <paramref name="stateDirectory"/>.</summary>
    /// <remarks>The Docker runtime is created when a service or function first asks for it and must find its engine then, so a stack that needs an absent engine is refused at <c>up</c> with a message saying what to start.</remarks>
    public static IProcessRuntimeProvider Create(TimeProvider timeProvider, ProcessScope? scope, string stateDirectory) =>
        new ProcessRuntimeProvider(timeProvider, scope, stateDirectory, new Dictionary<RuntimeKind, Func<IProcessRuntime>>
        {
            [RuntimeKind.Docker] = () => ConnectDocker(timeProvider, scope),
        });

    private static DockerProcessRuntime ConnectDocker(TimeProvider timeProvider, ProcessScope? scope)
    {
        var runtime = new DockerProcessRuntime(timeProvider, scope);
        try
        {
            // The provider's contract is synchronous; the ping is bounded by its own 2 s deadline.
            runtime.EnsureEngineAsync(CancellationToken.None).GetAwaiter().GetResult();
            return runtime;
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }
}
