using Microsoft.Extensions.Logging;
using Shoal.Text;

namespace Shoal.Delivery.Rollouts;

/// <summary>
/// The operations every rollout shares — weights, health waits, promotion and rollback — over the running versions
/// and the traffic split; every change of a deployment's state is made under <see cref="Lock"/>.
/// </summary>
internal sealed class RolloutContext(IRunningVersions versions, ITrafficSplit traffic, TimeProvider time, ILogger logger, Lock @lock)
{
    public IRunningVersions Versions { get; } = versions;

    public ITrafficSplit Traffic { get; } = traffic;

    public TimeProvider Time { get; } = time;

    public Lock Lock { get; } = @lock;

    /// <summary>How long a new version may take to become healthy.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sets the new version's share; called under the lock.</summary>
    public void SetWeight(Deployment d, int weight)
    {
        d.Weight = weight;
        if (d.Rollout.SplitsTraffic)
        {
            Traffic.Set(d.Service, new VersionSplit(d.Stable, d.Request.Version, weight, d.Request.Header, d.Request.HeaderValue));
        }
    }

    /// <summary>
    /// Starts the new version's replicas and waits until they are healthy and the gateway routes to them; false (after
    /// rolling back) when they did not become healthy in time.
    /// </summary>
    public async Task<bool> StartNewVersionAsync(Deployment d, int replicas, CancellationToken stopping)
    {
        await Versions.StartAsync(d.Service, d.Request.Version, d.Request.Command, d.Request.Environment, replicas, stopping).ConfigureAwait(false);
        if (!await WaitHealthyAsync(d, stopping).ConfigureAwait(false))
        {
            await TryRollBackAsync(d, "controller", $"version {d.Request.Version} did not become healthy within {Durations.Format(StartTimeout)}", stopping).ConfigureAwait(false);
            return false;
        }

        await WaitRoutableAsync(d, replicas, stopping).ConfigureAwait(false);
        return true;
    }

    /// <summary>Waits up to <see cref="StartTimeout"/> for the new version's replicas; false when they failed or took too long.</summary>
    public async Task<bool> WaitHealthyAsync(Deployment d, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(StartTimeout, Time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            return await Versions.WaitHealthyAsync(d.Service, d.Request.Version, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits (briefly) until the gateway itself routes to the new version's replicas, which follows the supervisor's
    /// view by one catalog round trip, so no request meant for the new version falls back to the stable one.
    /// </summary>
    private async Task WaitRoutableAsync(Deployment d, int replicas, CancellationToken stopping)
    {
        var deadline = Time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (Traffic.RoutableReplicas(d.Service, d.Request.Version) < replicas && Time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), Time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>All traffic to the new version; the old replicas drain, then stop, and the split goes away.</summary>
    public Task PromoteAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken) =>
        FinishAsync(d, 100, DeploymentPhase.Promoted, "promote", actor, reason, () => Versions.PromoteAsync(d.Service, d.Request.Version, cancellationToken));

    /// <summary>All traffic back to the stable version at once; the new version's replicas drain, then stop.</summary>
    public Task RollBackAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken) =>
        FinishAsync(d, 0, DeploymentPhase.RolledBack, "rollback", actor, reason, async () =>
        {
            await d.Rollout.BeforeRollBackAsync(this, d, cancellationToken).ConfigureAwait(false);
            await Versions.StopAsync(d.Service, d.Request.Version, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>Promotes unless an operator already finished the deployment.</summary>
    public async Task TryPromoteAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await PromoteAsync(d, actor, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (DeploymentException)
        {
            // Rolled back by hand meanwhile.
        }
    }

    /// <summary>Rolls back unless an operator already finished the deployment.</summary>
    public async Task TryRollBackAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await RollBackAsync(d, actor, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (DeploymentException)
        {
            // Promoted or rolled back meanwhile.
        }
    }

    private async Task FinishAsync(Deployment d, int weight, DeploymentPhase phase, string action, string actor, string reason, Func<Task> replicas)
    {
        lock (Lock)
        {
            if (!d.IsActive || (phase == DeploymentPhase.Promoted && d.Phase == DeploymentPhase.Starting))
            {
                throw new DeploymentException(409, $"The deployment of '{d.Service}' is {(d.Finishing ? "finishing" : Deployment.Words(d.Phase))}; it cannot {action} now.");
            }

            d.Finishing = true;
            SetWeight(d, weight);
            if (phase == DeploymentPhase.RolledBack)
            {
                d.Reason = reason;
            }
        }

        await replicas().ConfigureAwait(false);
        lock (Lock)
        {
            Traffic.Set(d.Service, null);
            d.Phase = phase;
            d.Add(Time, actor, action, reason);
            d.Wake();
        }

        Log.Finished(logger, d.Service, action, d.Request.Version, reason);
    }
}
