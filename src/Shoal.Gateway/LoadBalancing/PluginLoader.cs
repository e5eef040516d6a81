using System.Reflection;
using System.Runtime.Loader;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>Loads custom load-balancing strategies: every public <see cref="ILoadBalancingPolicy"/> with a parameterless constructor in the given assemblies.</summary>
public static class PluginLoader
{
    /// <summary>Loads the assemblies and creates their policies.</summary>
    /// <exception cref="PluginLoadException">An assembly cannot be loaded, has no policy, or a policy cannot be created.</exception>
    public static IReadOnlyList<ILoadBalancingPolicy> Load(IEnumerable<string> assemblyPaths)
    {
        ArgumentNullException.ThrowIfNull(assemblyPaths);
        var policies = new List<ILoadBalancingPolicy>();
        foreach (var path in assemblyPaths)
        {
            Assembly assembly;
            try
            {
                var directory = Path.GetDirectoryName(path)!;

                // The plugin shares Shoal's own assemblies; anything else it needs comes from its own folder.
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                {
                    var candidate = Path.Combine(directory, name.Name + ".dll");
                    return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
                };
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or FileLoadException)
            {
                throw new PluginLoadException($"plugin {path}: cannot be loaded: {ex.Message}", ex);
            }

            var types = PolicyTypes(assembly, path);
            if (types.Count == 0)
            {
                throw new PluginLoadException($"plugin {path}: has no public class implementing {nameof(ILoadBalancingPolicy)} with a parameterless constructor");
            }

            foreach (var type in types)
            {
                try
                {
                    policies.Add((ILoadBalancingPolicy)Activator.CreateInstance(type)!);
                }
                catch (TargetInvocationException ex)
                {
                    throw new PluginLoadException($"plugin {path}: {type.FullName} failed to start: {ex.InnerException?.Message}", ex);
                }
            }
        }

        return policies;
    }

    private static List<Type> PolicyTypes(Assembly assembly, string path)
    {
        try
        {
            return assembly.GetExportedTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ILoadBalancingPolicy).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
                .ToList();
        }
        catch (ReflectionTypeLoadException ex)
        {
            throw new PluginLoadException($"plugin {path}: its types cannot be loaded (built against another Shoal?): {ex.LoaderExceptions.FirstOrDefault()?.Message}", ex);
        }
    }
}
