using Shoal.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Resolves every service's runtime and user before anything starts, so a stack that cannot run here fails whole, naming the service and field.</summary>
internal static class ServiceLaunches
{
    /// <summary>Each service's launch, by name.</summary>
    /// <exception cref="ConfigFileException">A runtime cannot run on this machine, or a user is unknown.</exception>
    public static Dictionary<string, ServiceLaunch> Resolve(StackDefinition stack, IProcessRuntimeProvider runtimes, Func<string, (ProcessUser? User, string? Error)> users, uint daemonUid)
    {
        var file = Path.GetFileName(stack.FilePath);
        var errors = new List<ConfigError>();
        var launches = new Dictionary<string, ServiceLaunch>(StringComparer.Ordinal);
        foreach (var service in stack.Services.Where(s => !s.External))
        {
            var definition = service.Runtime;
            var path = $"services.{service.Name}";
            IProcessRuntime? runtime = null;
            try
            {
                runtime = runtimes.Get(definition.Kind);
            }
            catch (ProcessStartException ex)
            {
                errors.Add(new ConfigError(file, definition.RuntimeAt.Line, definition.RuntimeAt.Column, path + ".runtime", $"runtime {definition.RuntimeName} cannot run here: {ex.Message}"));
            }

            ProcessUser? user = null;
            if (definition.User is { } text)
            {
                var (found, error) = users(text);
                if (found is null)
                {
                    errors.Add(new ConfigError(file, definition.UserAt.Line, definition.UserAt.Column, path + ".user", error!));
                }
                else if (daemonUid != 0 && found.Uid != daemonUid)
                {
                    errors.Add(new ConfigError(file, definition.UserAt.Line, definition.UserAt.Column, path + ".user", $"running as {text} (uid {found.Uid}) needs Shoal to run as root; it runs as uid {daemonUid}"));
                }
                else
                {
                    user = found;
                }
            }

            if (runtime is not null)
            {
                launches[service.Name] = new ServiceLaunch(runtime, user);
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigFileException(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }

        return launches;
    }
}
