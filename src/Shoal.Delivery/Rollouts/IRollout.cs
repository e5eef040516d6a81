namespace Shoal.Delivery.Rollouts;

/// <summary>
/// How a deployment moves a service from its stable version to a new one; chosen by the request's <c>type</c>
/// (<see cref="Name"/>). The rollout decides the steps; <see cref="RolloutContext"/> carries them out.
/// </summary>
internal interface IRollout
{
    /// <summary>The <c>type</c> that selects this rollout (see <see cref="RolloutTypes"/>).</summary>
    string Name { get; }

    /// <summary>True when the new version's share is a traffic weight; false when it follows from replica counts.</summary>
    bool SplitsTraffic { get; }

    /// <summary>True when <c>pause</c> and <c>resume</c> apply.</summary>
    bool CanPause { get; }

    /// <summary>True when <c>switch</c> applies.</summary>
    bool CanSwitch { get; }

    /// <summary>
    /// Runs the deployment until it is promoted, rolled back or <paramref name="stopping"/>; <paramref name="resumeAt"/>
    /// is the phase a previous run left it in when it is being taken up again.
    /// </summary>
    Task RunAsync(RolloutContext context, Deployment deployment, DeploymentPhase? resumeAt, CancellationToken stopping);

    /// <summary>What a rollback does before the new version's replicas stop (traffic is already back on the stable version).</summary>
    Task BeforeRollBackAsync(RolloutContext context, Deployment deployment, CancellationToken cancellationToken);
}
