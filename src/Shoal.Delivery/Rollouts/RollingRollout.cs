using Shoal.Text;

namespace Shoal.Delivery.Rollouts;

/// <summary>
/// Replaces the stable replicas a batch at a time: new ones start and must turn healthy before the old ones they
/// replace drain and stop — all but <c>max_unavailable</c> of them, which may go first — so the service never has
/// fewer than its count minus <c>max_unavailable</c> healthy replicas. Traffic follows the replica counts.
/// </summary>
internal sealed class RollingRollout : IRollout
{
    public string Name => RolloutTypes.Rolling;

    public bool SplitsTraffic => false;

    public bool CanPause => true;

    public bool CanSwitch => false;

    public async Task RunAsync(RolloutContext context, Deployment d, DeploymentPhase? resumeAt, CancellationToken stopping)
    {
        var count = d.StableReplicas;
        await context.Versions.StartAsync(d.Service, d.Request.Version, d.Request.Command, d.Request.Environment, 0, stopping).ConfigureAwait(false);
        lock (context.Lock)
        {
            d.Phase = DeploymentPhase.Progressing;
        }

        var replaced = 0;
        while (replaced < count)
        {
            var woken = d.Woken;
            lock (context.Lock)
            {
                if (!d.IsActive)
                {
                    return;
                }
            }

            if (d.Phase == DeploymentPhase.Paused)
            {
                await Deployment.WaitAsync(woken, TimeSpan.FromMinutes(1), context.Time, stopping).ConfigureAwait(false);
                continue;
            }

            // A batch of surge + unavailable replicas: the unavailable share of old ones drains first, the new ones
            // start, and the rest of the old ones go once every new one is healthy.
            var batch = Math.Min(count - replaced, d.Request.MaxSurge + d.Request.MaxUnavailable);
            var next = replaced + batch;
            var early = Math.Min(d.Request.MaxUnavailable, batch);
            if (early > 0)
            {
                await context.Versions.ScaleStableAsync(d.Service, count - replaced - early, stopping).ConfigureAwait(false);
            }

            await context.Versions.ScaleAsync(d.Service, d.Request.Version, next, stopping).ConfigureAwait(false);
            if (!await context.WaitHealthyAsync(d, stopping).ConfigureAwait(false))
            {
                await context.TryRollBackAsync(d, "controller", $"new replicas of {d.Request.Version} did not become healthy within {Durations.Format(context.StartTimeout)}", stopping).ConfigureAwait(false);
                return;
            }

            await context.Versions.ScaleStableAsync(d.Service, count - next, stopping).ConfigureAwait(false);
            replaced = next;
            lock (context.Lock)
            {
                d.Step = replaced;
                d.Weight = replaced * 100 / count;
                d.Add(context.Time, "controller", "step", $"{replaced} of {count} replicas replaced");
            }
        }

        await context.TryPromoteAsync(d, "controller", "every replica replaced", stopping).ConfigureAwait(false);
    }

    /// <summary>Old replicas come back (health-gated) before the new ones leave.</summary>
    public async Task BeforeRollBackAsync(RolloutContext context, Deployment deployment, CancellationToken cancellationToken)
    {
        await context.Versions.ScaleStableAsync(deployment.Service, deployment.StableReplicas, cancellationToken).ConfigureAwait(false);
        await context.Versions.WaitStableSettledAsync(deployment.Service, cancellationToken).ConfigureAwait(false);
    }
}
