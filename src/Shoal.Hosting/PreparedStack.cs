using Shoal.Gateway.LoadBalancing;
using Shoal.Orchestration.Backing;
using Shoal.Orchestration.Build;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Hosting;

/// <summary>A loaded stack made ready to run: the services' commands resolved (projects built), the strategy plugins loaded and every strategy name checked.</summary>
/// <param name="Loaded">The stack and its functions, as read once.</param>
/// <param name="Commands">Each service's command.</param>
/// <param name="Plugins">The strategies the plugins add.</param>
public sealed record PreparedStack(LoadedStack Loaded, IReadOnlyDictionary<string, ResolvedCommand> Commands, IReadOnlyList<ILoadBalancingPolicy> Plugins)
{
    /// <summary>
    /// Resolves the commands and loads the plugins of <paramref name="loaded"/>: the whole validation of a stack, done
    /// once, on the files as read once. <paramref name="progress"/> hears what is being built.
    /// </summary>
    /// <exception cref="Configuration.ConfigFileException">A service names a strategy nobody provides.</exception>
    /// <exception cref="StackException">A plugin cannot be built or loaded.</exception>
    /// <exception cref="ProjectBuildException">A service's project does not build.</exception>
    public static async Task<PreparedStack> PrepareAsync(LoadedStack loaded, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        loaded = loaded with { Stack = await BackingServices.PrepareAsync(loaded.Stack, cancellationToken).ConfigureAwait(false) };
        var commands = await ProjectBuilder.ResolveCommandsAsync(loaded.Stack, progress, cancellationToken).ConfigureAwait(false);
        var plugins = await StackPlugins.LoadAsync(loaded.Stack, loaded.DisplayName, progress, cancellationToken).ConfigureAwait(false);
        return new PreparedStack(loaded, commands, plugins);
    }

    /// <summary>Checks what <see cref="PrepareAsync"/> checks without building the services: for <c>validate</c>.</summary>
    public static Task ValidateAsync(LoadedStack loaded, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return StackPlugins.LoadAsync(loaded.Stack, loaded.DisplayName, progress, cancellationToken);
    }
}
