using Shoal.Delivery;
using Shoal.Orchestration.Lifecycle;
using Shoal.Delivery.Configuration;

namespace Shoal.Hosting.Delivery;

/// <summary>What the stack file says of a service, as the supervisor runs it.</summary>
internal sealed class SupervisorServiceDeclarations(StackSupervisor supervisor) : IServiceDeclarations
{
    public DeploymentRequest Defaults(string service)
    {
        var deploy = supervisor.Definition(service)?.Deploy ?? new DeploymentDefaults();
        return new DeploymentRequest
        {
            Type = "canary",
            Version = "",
            Steps = deploy.Steps,
            Interval = deploy.Interval,
            KeepOld = deploy.KeepOld,
            MaxSurge = deploy.MaxSurge,
            MaxUnavailable = deploy.MaxUnavailable,
            Analysis = new AnalysisThresholds { MaxErrorRate = deploy.MaxErrorRate, MaxP99 = deploy.MaxP99, MinRequests = deploy.MinRequests },
        };
    }

    public DeclaredService? Find(string service) =>
        supervisor.Definition(service) is { } definition && supervisor.CommandOf(service) is { } command
            ? new DeclaredService(
                definition.Name,
                command,
                definition.Environment.Keys.Concat(definition.PerReplica.SelectMany(r => r.Environment.Keys)).ToHashSet(StringComparer.Ordinal))
            : null;
}
