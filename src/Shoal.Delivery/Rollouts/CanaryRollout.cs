namespace Shoal.Delivery.Rollouts;

/// <summary>
/// One new replica (by default) takes the first step's weight; after each interval <see cref="CanaryAnalysis"/> judges
/// the window and the weight moves to the next step, holds, or rolls back; after the last step of 100 it promotes.
/// </summary>
internal sealed class CanaryRollout : IRollout
{
    public string Name => RolloutTypes.Canary;

    public bool SplitsTraffic => true;

    public bool CanPause => true;

    public bool CanSwitch => false;

    public async Task RunAsync(RolloutContext context, Deployment d, DeploymentPhase? resumeAt, CancellationToken stopping)
    {
        if (!await context.StartNewVersionAsync(d, d.Request.Replicas ?? 1, stopping).ConfigureAwait(false))
        {
            return;
        }

        lock (context.Lock)
        {
            if (!d.IsActive)
            {
                return;
            }

            d.Phase = resumeAt == DeploymentPhase.Paused ? DeploymentPhase.Paused : DeploymentPhase.Progressing;
            context.SetWeight(d, d.Request.Steps[Math.Clamp(d.Step, 0, d.Request.Steps.Count - 1)]);
            d.Add(context.Time, "controller", resumeAt is null ? "step" : "resume", $"weight {d.Weight}%");
            d.Baseline(context.Traffic);
        }

        await ProgressAsync(context, d, stopping).ConfigureAwait(false);
    }

    public Task BeforeRollBackAsync(RolloutContext context, Deployment deployment, CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task ProgressAsync(RolloutContext context, Deployment d, CancellationToken stopping)
    {
        while (true)
        {
            await Deployment.WaitAsync(d.Woken, d.Request.Interval, context.Time, stopping).ConfigureAwait(false);
            string? breach = null;
            lock (context.Lock)
            {
                if (!d.IsActive)
                {
                    return;
                }

                if (d.Phase == DeploymentPhase.Paused)
                {
                    continue;
                }

                var (canary, stable) = d.Window(context.Traffic);
                switch (CanaryAnalysis.Judge(d.Request.Analysis, canary, stable, out var reason))
                {
                    case CanaryVerdict.Fail:
                        breach = reason;
                        break;
                    case CanaryVerdict.Wait:
                        d.Add(context.Time, "analysis", "hold", reason);
                        d.Baseline(context.Traffic);
                        continue;
                    default:
                        var next = d.Step + 1;
                        if (next < d.Request.Steps.Count)
                        {
                            d.Step = next;
                            context.SetWeight(d, d.Request.Steps[next]);
                            d.Add(context.Time, "analysis", "step", $"weight {d.Weight}% (canary {CanaryAnalysis.Describe(canary)}; stable {CanaryAnalysis.Describe(stable)})");
                            d.Baseline(context.Traffic);
                            continue;
                        }

                        if (d.Weight < 100)
                        {
                            // A single weight below 100 holds there until promoted or rolled back by hand.
                            d.Baseline(context.Traffic);
                            continue;
                        }

                        break;
                }
            }

            if (breach is not null)
            {
                await context.TryRollBackAsync(d, "analysis", breach, stopping).ConfigureAwait(false);
            }
            else
            {
                await context.TryPromoteAsync(d, "analysis", "every step passed", stopping).ConfigureAwait(false);
            }

            return;
        }
    }
}
