using Shoal.Delivery.Rollouts;
using Shoal.Utilities;

namespace Shoal.Delivery;

/// <summary>One deployment's state; guarded by the controller's lock.</summary>
internal sealed class Deployment(string service, string stable, DeploymentRequest request, IRollout rollout, DateTimeOffset startedAt)
{
    private readonly List<DeploymentRecord> _history = [];
    private VersionOutcomes? _canaryBase;
    private VersionOutcomes? _stableBase;
    private readonly ChangeSignal _wake = new();

    public string Service { get; } = service;

    public string Stable { get; } = stable;

    public DeploymentRequest Request { get; } = request;

    /// <summary>How this deployment moves from the stable version to the new one.</summary>
    public IRollout Rollout { get; } = rollout;

    public DeploymentPhase Phase { get; set; } = DeploymentPhase.Starting;

    public int Weight { get; set; }

    public int Step { get; set; }

    public string? Reason { get; set; }

    public bool Finishing { get; set; }

    public DateTimeOffset? SwitchedAt { get; set; }

    public int StableReplicas { get; set; }

    public Task? Run { get; set; }

    public bool IsActive => !Finishing && Phase is not (DeploymentPhase.Promoted or DeploymentPhase.RolledBack);

    public Action<Deployment>? Changed { get; set; }

    public void Add(TimeProvider time, string actor, string action, string? reason)
    {
        _history.Add(new DeploymentRecord(time.GetUtcNow(), actor, action, reason, Weight));
        Changed?.Invoke(this);
    }

    public StoredDeployment Store() =>
        new(Service, Stable, Request, Phase, Weight, Step, Reason, startedAt, SwitchedAt, StableReplicas, [.. _history]);

    public static Deployment From(StoredDeployment s, IRollout rollout)
    {
        var d = new Deployment(s.Service, s.Stable, s.Request, rollout, s.StartedAt)
        {
            Phase = s.Phase,
            Weight = s.Weight,
            Step = s.Step,
            Reason = s.Reason,
            SwitchedAt = s.SwitchedAt,
            StableReplicas = s.StableReplicas,
        };
        d._history.AddRange(s.History);
        return d;
    }

    /// <summary>Starts a new analysis window.</summary>
    public void Baseline(ITrafficSplit traffic)
    {
        _canaryBase = traffic.Outcomes(Service, Request.Version);
        _stableBase = traffic.Outcomes(Service, Stable);
    }

    /// <summary>What each version answered since <see cref="Baseline"/>.</summary>
    public (VersionOutcomes Canary, VersionOutcomes Stable) Window(ITrafficSplit traffic) =>
        (traffic.Outcomes(Service, Request.Version).Since(_canaryBase!), traffic.Outcomes(Service, Stable).Since(_stableBase!));

    /// <summary>Completes at the first operation on the deployment after it was read: read it before looking at the state.</summary>
    public Task Woken => _wake.Next;

    public void Wake() => _wake.Notify();

    /// <summary>Waits <paramref name="span"/>, or less when <paramref name="woken"/> (<see cref="Woken"/>, read earlier) completes.</summary>
    public static async Task WaitAsync(Task woken, TimeSpan span, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await woken.WaitAsync(span, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The span ran out with no operation.
        }
    }

    public DeploymentStatus Describe() =>
        new(Service, Request.Type, Stable, Request.Version, Phase, Weight, Step, Request.Steps, startedAt, Reason, [.. _history]);

    /// <summary>The phase as the API's messages say it.</summary>
    public static string Words(DeploymentPhase phase) => phase switch
    {
        DeploymentPhase.RolledBack => "rolled back",
        _ => phase.ToString().ToLowerInvariant(),
    };
}
