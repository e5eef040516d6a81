using Shoal.Delivery.Tests.Fakes;

namespace Shoal.Delivery.Tests.Rollouts;

public class BlueGreenRolloutTests
{
    [Fact]
    public async Task Switch_MovesAllTraffic_ThenPromotesAfterKeepOld()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("blue-green"), "test");
        await h.UntilPhaseAsync(DeploymentPhase.Ready);
        Assert.Equal(["start 2 x3", "wait 2"], h.Versions.Operations);
        Assert.Equal(0, h.Traffic.Current!.Weight);

        var status = await h.Controller.ApplyAsync("app", "switch", "ops", null, CancellationToken.None);
        Assert.Equal(DeploymentPhase.Switched, status.Phase);
        Assert.Equal(100, h.Traffic.Current!.Weight);

        await h.Time.AdvanceAsync(TimeSpan.FromMinutes(1));
        await h.UntilPhaseAsync(DeploymentPhase.Promoted);
        Assert.Equal(["start", "ready", "switch", "promote"], h.Actions);
        Assert.Equal("the old version was kept warm for 1m", h.Status.History[^1].Reason);
        Assert.Equal("promote 2", h.Versions.Operations[^1]);
        Assert.Null(h.Traffic.Current);
    }

    [Fact]
    public async Task Rollback_AfterSwitch_SendsTrafficBackAndStopsTheNewVersion()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("blue-green"), "test");
        await h.UntilPhaseAsync(DeploymentPhase.Ready);
        await h.Controller.ApplyAsync("app", "switch", "ops", null, CancellationToken.None);
        var status = await h.Controller.ApplyAsync("app", "rollback", "ops", null, CancellationToken.None);

        Assert.Equal(DeploymentPhase.RolledBack, status.Phase);
        Assert.Equal("rolled back by hand", status.Reason);
        Assert.Equal([0, 100, 0], h.Traffic.History.OfType<VersionSplit>().Select(s => s.Weight));
        Assert.Equal("stop 2", h.Versions.Operations[^1]);
    }

    [Fact]
    public async Task Pause_IsRefused()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("blue-green"), "test");
        await h.UntilPhaseAsync(DeploymentPhase.Ready);
        var ex = await Assert.ThrowsAsync<DeploymentException>(() => h.Controller.ApplyAsync("app", "pause", "ops", null, CancellationToken.None));
        Assert.Equal(409, ex.Status);
        Assert.Equal("Only a progressing canary or rolling update can be paused; this one is a blue-green, ready.", ex.Message);
    }

    [Fact]
    public async Task Switch_OnACanary_IsRefused()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        await h.UntilPhaseAsync(DeploymentPhase.Progressing);
        var ex = await Assert.ThrowsAsync<DeploymentException>(() => h.Controller.ApplyAsync("app", "switch", "ops", null, CancellationToken.None));
        Assert.Equal("Only a blue/green deployment that is ready can switch; this one is a canary, progressing.", ex.Message);
    }
}
