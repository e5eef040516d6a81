using Shoal.Text;

namespace Shoal.Delivery.Rollouts;

/// <summary>
/// The new version starts with as many replicas as the stable one and no traffic (preview through the header);
/// <c>switch</c> moves all traffic at once, and the old version stays warm for <c>keep_old</c> before it is promoted away.
/// </summary>
internal sealed class BlueGreenRollout : IRollout
{
    public string Name => RolloutTypes.BlueGreen;

    public bool SplitsTraffic => true;

    public bool CanPause => false;

    public bool CanSwitch => true;

    public async Task RunAsync(RolloutContext context, Deployment d, DeploymentPhase? resumeAt, CancellationToken stopping)
    {
        if (!await context.StartNewVersionAsync(d, d.Request.Replicas ?? d.StableReplicas, stopping).ConfigureAwait(false))
        {
            return;
        }

        lock (context.Lock)
        {
            if (!d.IsActive)
            {
                return;
            }

            var switched = resumeAt == DeploymentPhase.Switched;
            d.Phase = switched ? DeploymentPhase.Switched : DeploymentPhase.Ready;
            context.SetWeight(d, switched ? 100 : 0);
            d.Add(context.Time, "controller", resumeAt is null ? "ready" : "resume", switched ? "all traffic on the new version" : "new version healthy with no traffic; preview with the header");
            d.Baseline(context.Traffic);
        }

        await KeepOldThenFinishAsync(context, d, stopping).ConfigureAwait(false);
    }

    public Task BeforeRollBackAsync(RolloutContext context, Deployment deployment, CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task KeepOldThenFinishAsync(RolloutContext context, Deployment d, CancellationToken stopping)
    {
        while (true)
        {
            var woken = d.Woken;
            DateTimeOffset? switched;
            lock (context.Lock)
            {
                if (!d.IsActive)
                {
                    return;
                }

                switched = d.SwitchedAt;
            }

            if (switched is { } at && context.Time.GetUtcNow() - at >= d.Request.KeepOld)
            {
                await context.TryPromoteAsync(d, "controller", $"the old version was kept warm for {Durations.Format(d.Request.KeepOld)}", stopping).ConfigureAwait(false);
                return;
            }

            var wait = switched is { } s ? d.Request.KeepOld - (context.Time.GetUtcNow() - s) : TimeSpan.FromMinutes(10);
            await Deployment.WaitAsync(woken, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), context.Time, stopping).ConfigureAwait(false);
        }
    }
}
