using Shoal.Delivery.Tests.Fakes;

namespace Shoal.Delivery.Tests.Rollouts;

public class CanaryRolloutTests
{
    [Fact]
    public async Task Run_HealthyWindows_StepEachIntervalThenPromote()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.UntilAsync(() => h.Status.Phase == DeploymentPhase.Progressing && h.Traffic.Current?.Weight == 10);
        Assert.Equal(["start 2 x1", "wait 2"], h.Versions.Operations);
        Assert.Equal(new VersionSplit("1", "2", 10, "x-canary", "always"), h.Traffic.Current);

        // A window is judged when its interval runs out, not before.
        await h.Time.WaitForTimerAsync(DeliveryHarness.Interval);
        h.GoodWindow();
        h.Time.Advance(DeliveryHarness.Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(10, h.Status.Weight);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.UntilAsync(() => h.Status.Weight == 50);

        h.GoodWindow();
        await h.Time.AdvanceAsync(DeliveryHarness.Interval);
        await h.UntilAsync(() => h.Status.Weight == 100);

        h.GoodWindow();
        await h.Time.AdvanceAsync(DeliveryHarness.Interval);
        await h.UntilPhaseAsync(DeploymentPhase.Promoted);
        Assert.Equal(["start", "step", "step", "step", "promote"], h.Actions);
        Assert.Equal("promote 2", h.Versions.Operations[^1]);
        Assert.Null(h.Traffic.Current);
        Assert.Equal([10, 50, 100, 100], h.Traffic.History.OfType<VersionSplit>().Select(s => s.Weight));
    }

    [Fact]
    public async Task Run_CanaryErrorsAboveThreshold_RollsBack()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.Time.WaitForTimerAsync(DeliveryHarness.Interval);
        h.Traffic.Record("2", 100, errors: 30);
        h.Traffic.Record("1", 100, errors: 1);
        h.Time.Advance(DeliveryHarness.Interval);
        await h.UntilPhaseAsync(DeploymentPhase.RolledBack);

        Assert.Equal("analysis", h.Status.History[^1].Actor);
        Assert.StartsWith("error rate ", h.Status.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Status.Weight);
        Assert.Equal("stop 2", h.Versions.Operations[^1]);
        Assert.DoesNotContain("promote 2", h.Versions.Operations);
        Assert.Equal(0, h.Traffic.History[^2]!.Weight);
        Assert.Null(h.Traffic.Current);
    }

    [Fact]
    public async Task Run_TooFewRequests_HoldsTheStep()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.Time.WaitForTimerAsync(DeliveryHarness.Interval);
        h.Traffic.Record("2", 3);
        h.Time.Advance(DeliveryHarness.Interval);
        await h.UntilAsync(() => h.Actions.Last() == "hold");

        Assert.Equal(10, h.Status.Weight);
        Assert.Equal(DeploymentPhase.Progressing, h.Status.Phase);
        Assert.Equal("3 canary requests in the window, fewer than 10", h.Status.History[^1].Reason);
    }

    [Fact]
    public async Task Pause_StopsTheSteps_UntilResumed()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.Time.WaitForTimerAsync(DeliveryHarness.Interval);
        await h.Controller.ApplyAsync("app", "pause", "ops", "looking", CancellationToken.None);

        // Pausing wakes the loop, which waits a whole interval again and skips the window.
        h.GoodWindow();
        await h.Time.AdvanceAsync(DeliveryHarness.Interval);
        await h.Time.WaitForTimerAsync(DeliveryHarness.Interval);
        Assert.Equal(10, h.Status.Weight);
        Assert.Equal(DeploymentPhase.Paused, h.Status.Phase);

        // Resuming wakes the loop, which judges the window at once: it has been long enough.
        await h.Controller.ApplyAsync("app", "resume", "ops", null, CancellationToken.None);
        await h.UntilAsync(() => h.Status.Weight == 50);
        Assert.Equal(["start", "step", "pause", "resume", "step"], h.Actions);
    }

    [Fact]
    public async Task Rollback_ByHand_RecordsActorAndReason()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.Time.WaitForTimerAsync(DeliveryHarness.Interval);
        var status = await h.Controller.ApplyAsync("app", "rollback", "ops", "bad smell", CancellationToken.None);

        Assert.Equal(DeploymentPhase.RolledBack, status.Phase);
        Assert.Equal("bad smell", status.Reason);
        Assert.Equal(new DeploymentRecord(h.Time.GetUtcNow(), "ops", "rollback", "bad smell", 0), status.History[^1]);
        Assert.Equal("stop 2", h.Versions.Operations[^1]);
        var again = await Assert.ThrowsAsync<DeploymentException>(() => h.Controller.ApplyAsync("app", "promote", "ops", null, CancellationToken.None));
        Assert.Equal(409, again.Status);
    }

    [Fact]
    public async Task Run_NewVersionNeverHealthy_RollsBackAfterStartTimeout()
    {
        await using var h = new DeliveryHarness();
        h.Versions.Healthy = false;
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.Time.WaitForTimerAsync(DeliveryHarness.StartTimeout);
        h.Time.Advance(DeliveryHarness.StartTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(DeploymentPhase.Starting, h.Status.Phase);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.UntilPhaseAsync(DeploymentPhase.RolledBack);

        Assert.StartsWith("version 2 did not become healthy within ", h.Status.Reason, StringComparison.Ordinal);
        Assert.Equal(["start 2 x1", "wait 2", "stop 2"], h.Versions.Operations);
    }
}
