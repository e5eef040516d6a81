using Shoal.Events;

namespace Shoal.Delivery;

/// <summary>The deployments' platform events: each entry of a deployment's history, as it is written.</summary>
public sealed partial class DeploymentController
{
    /// <summary>Where steps, verdicts and rollbacks are announced.</summary>
    public IPlatformEvents Events { get; set; } = PlatformEvents.None;

    private void Announce(StoredDeployment d)
    {
        if (d.History.Count == 0)
        {
            return;
        }

        var entry = d.History[^1];
        // The analysis speaks in verdicts: hold is a wait, a step or a promotion a pass, a rollback a fail.
        if (entry.Actor == "analysis")
        {
            var verdict = entry.Action switch
            {
                "hold" => "wait",
                "rollback" => "fail",
                _ => "pass",
            };
            Publish(d, PlatformEventTypes.DeploymentVerdict, entry, verdict);
        }

        Publish(d, entry.Action == "rollback" ? PlatformEventTypes.DeploymentRolledBack : PlatformEventTypes.DeploymentStep, entry, null);
    }

    private void Publish(StoredDeployment d, string type, DeploymentRecord entry, string? verdict)
    {
        var details = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["action"] = entry.Action,
            ["actor"] = entry.Actor,
            ["weight"] = entry.Weight,
            ["step"] = d.Step,
            ["stable"] = d.Stable,
            ["phase"] = d.Phase.ToString().ToLowerInvariant(),
        };
        if (verdict is not null)
        {
            details["verdict"] = verdict;
        }

        Events.Publish(new PlatformEvent { Type = type, Time = entry.At, Service = d.Service, Version = d.Request.Version, Message = entry.Reason, Details = details });
    }
}
