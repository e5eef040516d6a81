using Shoal.Gateway.LoadBalancing;
using Shoal.Orchestration.Build;
using Shoal.Orchestration.Stack;
using Shoal.Gateway.Configuration;

namespace Shoal.Hosting;

/// <summary>Builds and loads a stack's strategy plugins, then checks that every strategy it names exists.</summary>
internal static class StackPlugins
{
    /// <exception cref="Configuration.ConfigFileException">A service names a strategy nobody provides.</exception>
    /// <exception cref="StackException">A plugin cannot be built or loaded.</exception>
    public static async Task<IReadOnlyList<ILoadBalancingPolicy>> LoadAsync(StackDefinition stack, string displayName, Action<string> progress, CancellationToken cancellationToken)
    {
        var assemblies = new List<string>();
        foreach (var plugin in stack.Gateway.Plugins)
        {
            assemblies.Add(plugin.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
                ? await ProjectBuilder.BuildAsync(plugin, Path.Combine(stack.StateDirectory, "build", "plugin-" + Path.GetFileNameWithoutExtension(plugin) + ".target"), progress, cancellationToken).ConfigureAwait(false)
                : plugin);
        }

        IReadOnlyList<ILoadBalancingPolicy> policies;
        try
        {
            policies = PluginLoader.Load(assemblies);
        }
        catch (PluginLoadException ex)
        {
            throw new StackException(ex.Message);
        }

        StackSections.CheckStrategiesExist(stack, [.. Strategies.BuiltIn, .. policies.Select(p => p.Name)], displayName);
        return policies;
    }
}
