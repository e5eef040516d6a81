using Shoal.Delivery;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;

namespace Shoal.Hosting;

/// <summary>What a restarted daemon takes over from the deployments it stored: the versions they promoted.</summary>
internal static class DeploymentResume
{
    /// <summary>
    /// The stack as the supervisor runs it: a service whose last deployment promoted a new version runs that version
    /// (its command and environment) — unless the stack file has moved on from the version the deployment replaced.
    /// </summary>
    public static (StackDefinition Stack, IReadOnlyDictionary<string, ResolvedCommand> Commands) WithPromotedVersions(StackDefinition stack, IReadOnlyDictionary<string, ResolvedCommand> commands, IReadOnlyList<StoredDeployment> deployments)
    {
        var services = stack.Services.ToList();
        var resolved = new Dictionary<string, ResolvedCommand>(commands, StringComparer.Ordinal);
        foreach (var d in deployments.Where(d => d.Phase == DeploymentPhase.Promoted))
        {
            var at = services.FindIndex(s => s.Name == d.Service && s.Version == d.Stable && !s.External);
            if (at >= 0)
            {
                services[at] = StackSupervisor.WithVersion(services[at], d.Request.Version, d.Request.Environment, services[at].Replicas);
                if (d.Request.Command is { } argv)
                {
                    resolved[d.Service] = new ResolvedCommand(argv, PassUrls: false);
                }
            }
        }

        return (stack with { Services = services }, resolved);
    }
}
